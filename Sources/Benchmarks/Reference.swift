import Foundation

/// Where the reference side of a benchmark comes from: `python3 bench/<suite>.py`, run as a subprocess.
public struct ReferenceSide: Sendable {
    /// Directory holding the Python reference scripts (default "bench", relative to the repository root).
    public var benchDir: String
    /// The interpreter (default "python3", looked up on PATH).
    public var python: String
    /// False: toolkit figures only.
    public var enabled: Bool

    public init(benchDir: String = "bench", python: String = "python3", enabled: Bool = true) {
        self.benchDir = benchDir
        self.python = python
        self.enabled = enabled
    }
}

/// A benchmark that cannot run or whose two sides disagree; the message says what to do.
public struct BenchmarkError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a benchmark's Python reference script and decodes the one JSON object it prints on stdout.
enum PythonReference {
    static func run(_ side: ReferenceSide, script: String, arguments: [String] = [],
                    environment: [String: String] = [:]) throws -> [String: Any] {
        let path = URL(fileURLWithPath: side.benchDir).appendingPathComponent(script).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw BenchmarkError("reference script \(path) not found: run from the repository root or pass --bench-dir")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [side.python, path] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw BenchmarkError("\(side.python) \(path) exited with status \(p.terminationStatus)")
        }
        let lastLine = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard let obj = try? JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any] else {
            throw BenchmarkError("\(path) did not print a JSON object on its last line")
        }
        return obj
    }
}
