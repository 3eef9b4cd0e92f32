import Foundation
import Testing
@testable import Formats

@Suite("IDX")
struct IDXTests {
    /// Raw IDX bytes: magic 00 00 tt nn, big-endian dims, then `payload`.
    func idxBytes(type: UInt8 = 0x08, dims: [UInt32], payload: [UInt8]) -> Data {
        var out: [UInt8] = [0, 0, type, UInt8(dims.count)]
        for d in dims { out += withUnsafeBytes(of: d.bigEndian, Array.init) }
        return Data(out + payload)
    }

    @Test("images and labels round-trip, raw and gzip")
    func roundTrip() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = NDArray(shape: [3, 4, 5], data: .uint8((0..<60).map { UInt8($0 * 4) }))
        let labels = NDArray(shape: [3], data: .uint8([7, 0, 9]))
        for gz in [false, true] {
            let iu = dir.appendingPathComponent("i\(gz ? ".gz" : "")"), lu = dir.appendingPathComponent("l\(gz ? ".gz" : "")")
            try IDX.write(images, to: iu, compressed: gz)
            try IDX.write(labels, to: lu, compressed: gz)
            #expect(try IDX.read(iu) == images)
            #expect(try IDX.read(lu) == labels)
            let head = try Data(contentsOf: iu).prefix(4)
            #expect(Array(head) == (gz ? [0x1F, 0x8B, 0x08, 0x00] : [0, 0, 8, 3]))
        }
        // The exact bytes a hand-built raw file has.
        let raw = dir.appendingPathComponent("raw")
        try idxBytes(dims: [2, 2], payload: [1, 2, 3, 4]).write(to: raw)
        #expect(try IDX.read(raw) == NDArray(shape: [2, 2], data: .uint8([1, 2, 3, 4])))
    }

    @Test("bad files: magic, element type, truncation, claimed size, trailing data")
    func badInput() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String, _ data: Data, gzip: Bool = false) throws -> URL {
            let url = dir.appendingPathComponent(name)
            if gzip { try GzipWriter.write(Array(data), to: url, compressed: true) } else { try data.write(to: url) }
            return url
        }
        let magic = try file("m", Data([0x50, 0x4B, 3, 4, 0, 0, 0, 0]))
        #expect(throws: FormatError.badMagic(path: magic.path, format: "IDX")) { try IDX.read(magic) }
        let float = try file("f", idxBytes(type: 0x0D, dims: [1], payload: [0, 0, 0, 0]))
        #expect(throws: FormatError.unsupportedDType(path: float.path, dtype: "IDX type 0xd (float32); only 0x08 (uint8) is read")) { try IDX.read(float) }
        for gz in [false, true] {
            let short = try file("s\(gz)", idxBytes(dims: [10, 28, 28], payload: [UInt8](repeating: 1, count: 7000)), gzip: gz)
            #expect(throws: FormatError.truncated(path: short.path, expectedBytes: 16 + 7840, foundBytes: gz ? 16 + 7000 : 7016)) { try IDX.read(short) }
            let cutHeader = try file("h\(gz)", idxBytes(dims: [10, 28, 28], payload: []).prefix(10), gzip: gz)
            #expect(throws: FormatError.truncated(path: cutHeader.path, expectedBytes: 16, foundBytes: 10)) { try IDX.read(cutHeader) }
            let huge = try file("g\(gz)", idxBytes(dims: [UInt32.max, UInt32.max, 100], payload: [1, 2, 3]), gzip: gz)
            #expect(throws: FormatError.self) { try IDX.read(huge) }
            do { _ = try IDX.read(huge) } catch let FormatError.tooLarge(path, _, _) { #expect(path == huge.path) }
            let trailing = try file("t\(gz)", idxBytes(dims: [2], payload: [1, 2, 3]), gzip: gz)
            #expect(throws: FormatError.invalidContent(path: trailing.path, reason: "data continues after the 2 elements the header announces")) { try IDX.read(trailing) }
        }
        let missing = dir.appendingPathComponent("none.gz")
        #expect(throws: FormatError.unreadable(path: missing.path, reason: "no such file")) { try IDX.read(missing) }
    }

    static let fashionPresent = FileManager.default.fileExists(atPath: Dataset.fashionMNISTDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz").path)

    @Test("the real Fashion-MNIST (values checked with NumPy)",
          .enabled(if: fashionPresent, "Fashion-MNIST not installed at /usr/share/datasets/fashion-mnist: sudo apt-get install dataset-fashion-mnist"))
    func fashionMNIST() throws {
        let test = try Dataset.fashionMNIST(split: .test)
        #expect(test.count == 10_000 && test.channels == 1 && test.height == 28 && test.width == 28)
        #expect(Array(test.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(test.samplesPerClass == [Int](repeating: 1000, count: 10))
        #expect(test.classNames[9] == "Ankle boot")
        // Σ pixels of the first and last image, as bytes: 33456 and 24390 (NumPy).
        let first = test.images.row(0).reduce(0.0) { $0 + Double($1) * 255 }
        let last = test.images.row(9999).reduce(0.0) { $0 + Double($1) * 255 }
        #expect(abs(first - 33456) < 1e-2 && abs(last - 24390) < 1e-2)
        #expect(test.images[0, 10 * 28 + 13] == Float(4) / 255)
        let trainLabels = try IDX.read(Dataset.fashionMNISTDirectory.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        #expect(trainLabels.shape == [60_000])
        #expect(Array(trainLabels.integers!.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
    }

    @Test("a missing data set says how to install it")
    func missing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: FormatError.missingDataset(name: "Fashion-MNIST train", path: dir.appendingPathComponent("train-images-idx3-ubyte.gz").path,
                                                   install: "sudo apt-get install dataset-fashion-mnist (or: make setup)")) {
            try Dataset.fashionMNIST(split: .train, directory: dir)
        }
        // MNIST from a user directory: the same reader on generated files.
        try IDX.write(NDArray(shape: [4, 2, 3], data: .uint8(Array(0..<24))), to: dir.appendingPathComponent("t10k-images-idx3-ubyte"), compressed: false)
        try IDX.write(NDArray(shape: [4], data: .uint8([3, 1, 4, 1])), to: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), compressed: true)
        let m = try Dataset.mnist(split: .test, directory: dir)
        #expect(m.labels == [3, 1, 4, 1] && m.height == 2 && m.width == 3 && m.images[3, 5] == Float(23) / 255)
        try IDX.write(NDArray(shape: [4], data: .uint8([3, 1, 10, 1])), to: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), compressed: true)
        #expect(throws: FormatError.invalidContent(path: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path, reason: "label 10 at index 2 is not in 0..<10")) {
            try Dataset.mnist(split: .test, directory: dir)
        }
    }
}
