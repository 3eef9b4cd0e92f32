import Foundation
import Linalg
import Testing
@testable import Formats

@Suite("Datasets")
struct DatasetTests {
    /// 3 classes with 4, 6 and 5 samples of 2×1×2 images whose pixels encode the sample index.
    func toy() throws -> Dataset {
        let labels = [0, 1, 2, 1, 0, 1, 2, 2, 1, 0, 1, 2, 0, 1, 2]
        let pixels = labels.indices.flatMap { i in (0..<4).map { UInt8(i * 10 + $0) } }
        return try Dataset(name: "toy", pixels: pixels, labels: labels, channels: 2, height: 1, width: 2, classNames: ["a", "b", "c"])
    }

    @Test("balanced subsets are balanced, class-major, reproducible, and differ across seeds")
    func balanced() throws {
        let d = try toy()
        let s = try d.balancedSubset(perClass: 4, seed: 7)
        #expect(s.count == 12 && s.samplesPerClass == [4, 4, 4])
        #expect(s.labels == (0..<12).map { $0 / 4 })  // sample i has label i / n
        #expect(try d.balancedSubset(perClass: 4, seed: 7) == s)
        let seeds = try (0..<10).map { try d.balancedSubset(perClass: 3, seed: UInt64($0)).images }
        #expect(Set(seeds.map(\.storage)).count > 1)
        // Each chosen row is an original row with the same label.
        for i in 0..<s.count {
            let original = Int(s.images[i, 0] * 255 + 0.5) / 10
            #expect(d.labels[original] == s.labels[i])
            #expect(s.images.row(i) == d.images.row(original))
        }
        let o = try d.balancedSubset(perClass: 4, seed: 7, order: .original)
        #expect(o.samplesPerClass == [4, 4, 4])
        let originalIndices = (0..<o.count).map { Int(o.images[$0, 0] * 255 + 0.5) / 10 }
        #expect(originalIndices == originalIndices.sorted())
        #expect(throws: FormatError.invalidContent(path: "toy", reason: "class 0 (a) has 4 samples, 5 per class requested")) {
            try d.balancedSubset(perClass: 5, seed: 1)
        }
        // Taking every sample of the smallest class takes all of them.
        let all = try d.balancedSubset(perClass: 4, seed: 3)
        #expect(Set((0..<4).map { Int(all.images[$0, 0] * 255 + 0.5) / 10 }) == [0, 4, 9, 12])
    }

    @Test("class-major ordering is a stable sort by label")
    func classMajor() throws {
        let d = try toy().classMajor()
        #expect(d.labels == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        #expect((0..<4).map { Int(d.images[$0, 0] * 255 + 0.5) / 10 } == [0, 4, 9, 12])
    }

    @Test("per-channel statistics and normalization")
    func normalization() throws {
        var d = try toy()
        let stats = d.channelStatistics()
        // Channel 0 holds bytes 10i and 10i+1, channel 1 holds 10i+2 and 10i+3, i = 0…14.
        for c in 0..<2 {
            var values: [Double] = []
            for i in 0..<15 {
                for k in 0..<2 { values.append(Double(Float(10 * i + 2 * c + k) / 255)) }
            }
            let mean: Double = values.reduce(0, +) / Double(values.count)
            var squares = 0.0
            for v in values { squares += (v - mean) * (v - mean) }
            let std: Double = (squares / Double(values.count)).squareRoot()
            #expect(abs(stats.mean[c] - mean) < 1e-12 && abs(stats.std[c] - std) < 1e-12)
        }
        try d.normalize(stats)
        let after = d.channelStatistics()
        for c in 0..<2 {
            #expect(abs(after.mean[c]) < 1e-6 && abs(after.std[c] - 1) < 1e-6)
        }
        #expect(throws: FormatError.shape(name: "normalization", found: [1, 1], expected: "2 means and 2 standard deviations")) {
            try d.normalize(.mnist)
        }
        #expect(throws: FormatError.self) { try d.normalize(ChannelNormalization(mean: [0, 0], std: [1, 0])) }
    }

    @Test("construction validates shapes and labels")
    func validation() throws {
        #expect(throws: FormatError.invalidContent(path: "x", reason: "label 3 of sample 1 is outside 0..<3")) {
            try Dataset(name: "x", pixels: [0, 0], labels: [0, 3], channels: 1, height: 1, width: 1, classNames: ["a", "b", "c"])
        }
        #expect(throws: FormatError.shape(name: "x pixels", found: [3], expected: "2 × 1·1·1 bytes")) {
            try Dataset(name: "x", pixels: [0, 0, 0], labels: [0, 1], channels: 1, height: 1, width: 1, classNames: ["a", "b"])
        }
    }

    @Test("CIFAR-10 binary batches on a generated file")
    func cifar() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes: [UInt8] = []
        let labels = [3, 0, 9]
        for (r, l) in labels.enumerated() {
            bytes.append(UInt8(l))
            for c in 0..<3 { for p in 0..<1024 { bytes.append(UInt8((r * 50 + c * 7 + p) % 256)) } }
        }
        try Data(bytes).write(to: dir.appendingPathComponent("test_batch.bin"))
        let d = try CIFAR10.read(split: .test, directory: dir)
        #expect(d.count == 3 && d.channels == 3 && d.height == 32 && d.width == 32 && d.labels == labels)
        // Pixel (c, h, w) of record r is byte (r·50 + c·7 + 32h + w) mod 256.
        #expect(d.images[1, 2 * 1024 + 5 * 32 + 6] == Float((50 + 14 + 166) % 256) / 255)
        #expect(d.classNames[d.labels[2]] == "truck")
        let gz = dir.appendingPathComponent("batch.bin.gz")
        try GzipWriter.write(bytes, to: gz, compressed: true)
        #expect(try CIFAR10.readBatch(gz).labels == labels)

        let short = dir.appendingPathComponent("short.bin")
        try Data(bytes.dropLast()).write(to: short)
        #expect(throws: FormatError.invalidContent(path: short.path, reason: "size 9218 bytes is not a positive multiple of the 3073-byte CIFAR-10 record")) {
            try CIFAR10.readBatch(short)
        }
        var badLabel = bytes
        badLabel[3073] = 10
        let bad = dir.appendingPathComponent("bad.bin")
        try Data(badLabel).write(to: bad)
        #expect(throws: FormatError.invalidContent(path: bad.path, reason: "record 1 has label 10, not in 0–9")) { try CIFAR10.readBatch(bad) }
        #expect(throws: FormatError.missingDataset(name: "CIFAR-10 train", path: dir.appendingPathComponent("data_batch_1.bin").path, install: CIFAR10.install)) {
            try CIFAR10.read(split: .train, directory: dir)
        }
    }
}
