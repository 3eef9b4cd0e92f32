import Foundation

/// CIFAR-10 in its binary distribution (`cifar-10-binary.tar.gz`, directory `cifar-10-batches-bin`):
/// `data_batch_1.bin` … `data_batch_5.bin` (train, 10,000 records each) and `test_batch.bin`.
/// Each record is 3,073 bytes: the label (0–9), then the 32×32×3 image channel-major (1,024 red, then
/// green, then blue bytes, each plane row by row), which is exactly `Dataset`'s (C, H, W) row layout.
public enum CIFAR10 {
    public static let recordBytes = 1 + 3 * 32 * 32
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]
    public static let environmentVariable = "NC_CIFAR10"
    static let install = "download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, extract it, and pass the cifar-10-batches-bin directory (or set NC_CIFAR10)"

    /// One batch file (raw or gzip): pixels (N·3072 bytes, record order) and labels.
    public static func readBatch(_ url: URL) throws -> (pixels: [UInt8], labels: [Int]) {
        let reader = try GzipReader(url)
        let bytes: [UInt8]
        if reader.isPlain {
            let size = try NPYRowReader.fileSize(url)
            guard size % recordBytes == 0, size > 0 else {
                throw FormatError.invalidContent(path: url.path, reason: "size \(size) bytes is not a positive multiple of the \(recordBytes)-byte CIFAR-10 record")
            }
            bytes = try reader.read(exactly: size, offset: 0)
        } else {
            bytes = try reader.readAll(limit: NPYHeader.maximumBytes)
            guard bytes.count % recordBytes == 0, !bytes.isEmpty else {
                throw FormatError.invalidContent(path: url.path, reason: "\(bytes.count) bytes uncompressed is not a positive multiple of the \(recordBytes)-byte CIFAR-10 record")
            }
        }
        let n = bytes.count / recordBytes
        var pixels = [UInt8]()
        pixels.reserveCapacity(n * (recordBytes - 1))
        var labels = [Int]()
        labels.reserveCapacity(n)
        for r in 0..<n {
            let label = Int(bytes[r * recordBytes])
            guard label < 10 else {
                throw FormatError.invalidContent(path: url.path, reason: "record \(r) has label \(label), not in 0–9")
            }
            labels.append(label)
            pixels += bytes[(r * recordBytes + 1)..<((r + 1) * recordBytes)]
        }
        return (pixels, labels)
    }

    /// The train split (the five data batches, in order) or the test split from `directory`
    /// (default: `$NC_CIFAR10`). Missing files throw `missingDataset` with how to get them.
    public static func read(split: Split, directory: URL? = nil) throws -> Dataset {
        guard let dir = directory ?? ProcessInfo.processInfo.environment[environmentVariable].map({ URL(fileURLWithPath: $0) }) else {
            throw FormatError.missingDataset(name: "CIFAR-10", path: "$\(environmentVariable) (not set)", install: install)
        }
        let names = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for name in names {
            let url = dir.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw FormatError.missingDataset(name: "CIFAR-10 \(split.rawValue)", path: url.path, install: install)
            }
            let batch = try readBatch(url)
            pixels += batch.pixels
            labels += batch.labels
        }
        return try Dataset(name: "CIFAR-10 \(split.rawValue)", pixels: pixels, labels: labels, channels: 3,
                           height: 32, width: 32, classNames: classNames)
    }
}
