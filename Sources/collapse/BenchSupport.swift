import Foundation

/// Runs a benchmark's Python reference script and decodes the one JSON object it prints on stdout.
enum PythonReference {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ options: BenchOptions, script: String, arguments: [String] = [],
                    environment: [String: String] = [:]) throws -> [String: Any] {
        let path = URL(fileURLWithPath: options.benchDir).appendingPathComponent(script).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "reference script \(path) not found: run from the repository root or pass --bench-dir")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [options.python, path] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "\(options.python) \(path) exited with status \(p.terminationStatus)")
        }
        let lastLine = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard let obj = try? JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any] else {
            throw Failure(description: "\(path) did not print a JSON object on its last line")
        }
        return obj
    }
}

/// Wall-clock seconds on a monotonic clock.
@inline(__always) func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Formats a ratio ours/theirs with the direction spelled out.
func ratioText(_ ours: Double, _ theirs: Double) -> String {
    guard theirs > 0 else { return "n/a" }
    return String(format: "%.2f×", ours / theirs)
}

extension String {
    /// The string right-aligned in a field of `width` characters.
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
