import Foundation
import Testing
@testable import Formats

@Suite("NPZ")
struct NPZTests {
    @Test("every dtype round-trips, stored and deflated, in order")
    func roundTrip() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let arrays = sampleArrays()
        for compressed in [false, true] {
            let url = dir.appendingPathComponent("a-\(compressed).npz")
            try NPZ.write(arrays, to: url, compressed: compressed)
            let back = try NPZ.read(url)
            #expect(back.map(\.name) == arrays.map(\.name))
            for (x, y) in zip(back, arrays) { #expect(x.array == y.array, "\(x.name)") }
            #expect(try NPZ.names(in: url) == arrays.map(\.name))
            #expect(try NPZ.member("i64", in: url) == arrays[3].array)
            #expect(try NPZ.member("u8.npy", in: url) == arrays[4].array)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("writing replaces an existing archive")
    func overwrite() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("p.npz")
        try NPZ.write([("a", NDArray([1.0]))], to: url)
        try NPZ.write([("b", NDArray([2.0, 3.0]))], to: url, compressed: true)
        #expect(try NPZ.names(in: url) == ["b"])
    }

    @Test("NumPy savez and savez_compressed fixtures")
    func numpyFixtures() throws {
        let features = NDArray(shape: [6, 5], data: .float32((0..<30).map { Float($0) / 3 }))
        let labels = NDArray(shape: [6], data: .int64([0, 0, 1, 1, 2, 2]))
        let stored = try NPZ.read(fixture("stored.npz"))
        #expect(stored.map(\.name) == ["features", "labels"])
        #expect(stored[0].array == features && stored[1].array == labels)
        let compressed = try NPZ.read(fixture("compressed.npz"))
        #expect(compressed.map(\.name) == ["features", "labels", "w"])
        #expect(compressed[0].array == features && compressed[1].array == labels)
        #expect(compressed[2].array == NDArray(shape: [2, 2], data: .float64([1, 2, 3, 4])))
    }

    @Test("a missing member lists what the archive has")
    func missingMember() throws {
        let url = try fixture("compressed.npz")
        #expect(throws: FormatError.missingMember(path: url.path, name: "weights", available: ["features", "labels", "w"])) {
            try NPZ.member("weights", in: url)
        }
    }

    @Test("bad archives and names")
    func badInput() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let notZip = dir.appendingPathComponent("x.npz")
        try Data("definitely not a zip file, but long enough to have no end record".utf8).write(to: notZip)
        #expect(throws: FormatError.badMagic(path: notZip.path, format: "npz (ZIP archive)")) { try NPZ.read(notZip) }
        let missing = dir.appendingPathComponent("none.npz")
        #expect(throws: FormatError.unreadable(path: missing.path, reason: "no such file")) { try NPZ.read(missing) }
        #expect(throws: FormatError.invalidContent(path: dir.appendingPathComponent("d.npz").path, reason: "the array name 'a' occurs twice")) {
            try NPZ.write([("a", NDArray([1.0])), ("a", NDArray([2.0]))], to: dir.appendingPathComponent("d.npz"))
        }
        // A member whose .npy content is corrupt reports the member.
        let bad = dir.appendingPathComponent("bad.npz")
        try NPZ.write([("x", NDArray([1.0, 2.0]))], to: bad)
        var bytes = try Data(contentsOf: bad)
        let magic = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
        let at = try #require(bytes.range(of: magic))
        bytes[at.lowerBound + 1] = 0x41
        try bytes.write(to: bad)
        do {
            _ = try NPZ.read(bad)
            Issue.record("accepted a corrupt member")
        } catch let FormatError.invalidContent(path, reason) {
            #expect(path == "\(bad.path)[x.npy]" && reason.contains("CRC"))
        }
    }
}
