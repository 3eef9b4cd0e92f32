import Foundation

/// Train or test split.
public enum Split: String, Sendable, CaseIterable {
    case train
    case test
}

extension Dataset {
    /// Where Debian's `dataset-fashion-mnist` installs Fashion-MNIST.
    public static let fashionMNISTDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
    public static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Fashion-MNIST (60,000 train / 10,000 test 28×28 grey images, 10 classes) from the four IDX files
    /// `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]` in `directory` (default: the environment
    /// variable `NC_FASHION_MNIST`, else `/usr/share/datasets/fashion-mnist`).
    public static func fashionMNIST(split: Split, directory: URL? = nil) throws -> Dataset {
        let dir = directory ?? ProcessInfo.processInfo.environment["NC_FASHION_MNIST"].map { URL(fileURLWithPath: $0) }
            ?? fashionMNISTDirectory
        return try idxPair(name: "Fashion-MNIST", split: split, directory: dir, classNames: fashionMNISTClasses,
                           install: "sudo apt-get install dataset-fashion-mnist (or: make setup)")
    }

    /// MNIST from the same four IDX file names in `directory` (for users who have them).
    public static func mnist(split: Split, directory: URL) throws -> Dataset {
        try idxPair(name: "MNIST", split: split, directory: directory, classNames: (0..<10).map(String.init),
                    install: "download train/t10k images-idx3 and labels-idx1 files (e.g. from https://yann.lecun.com/exdb/mnist/) into \(directory.path)")
    }

    /// An images/labels IDX pair: `<prefix>-images-idx3-ubyte[.gz]` (N × H × W) and
    /// `<prefix>-labels-idx1-ubyte[.gz]` (N), prefix `train` or `t10k`.
    static func idxPair(name: String, split: Split, directory: URL, classNames: [String], install: String) throws -> Dataset {
        let prefix = split == .train ? "train" : "t10k"
        func locate(_ stem: String) throws -> URL {
            for candidate in [stem + ".gz", stem] {
                let url = directory.appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
            throw FormatError.missingDataset(name: "\(name) \(split.rawValue)", path: directory.appendingPathComponent(stem + ".gz").path, install: install)
        }
        let imagesURL = try locate("\(prefix)-images-idx3-ubyte")
        let labelsURL = try locate("\(prefix)-labels-idx1-ubyte")
        let images = try IDX.read(imagesURL)
        let labels = try IDX.read(labelsURL)
        guard images.shape.count == 3 else {
            throw FormatError.shape(name: imagesURL.path, found: images.shape, expected: "N × rows × cols (IDX magic 0x00000803)")
        }
        guard labels.shape.count == 1, labels.shape[0] == images.shape[0] else {
            throw FormatError.shape(name: labelsURL.path, found: labels.shape, expected: "[\(images.shape[0])] (IDX magic 0x00000801)")
        }
        guard case .uint8(let pixels) = images.data, let labelValues = labels.integers else {
            preconditionFailure("IDX.read returns uint8")
        }
        if let bad = labelValues.firstIndex(where: { $0 >= classNames.count }) {
            throw FormatError.invalidContent(path: labelsURL.path, reason: "label \(labelValues[bad]) at index \(bad) is not in 0..<\(classNames.count)")
        }
        return try Dataset(name: "\(name) \(split.rawValue)", pixels: pixels, labels: labelValues, channels: 1,
                           height: images.shape[1], width: images.shape[2], classNames: classNames)
    }
}
