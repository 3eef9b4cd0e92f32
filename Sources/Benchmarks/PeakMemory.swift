import Foundation

/// Peak resident memory of this process, for `collapse bench measure`.
enum PeakMemory {
    /// VmHWM from /proc/self/status, in MiB (nil off Linux).
    static func peakMiB() -> Double? { statusField("VmHWM:") }
    /// VmRSS from /proc/self/status, in MiB.
    static func currentMiB() -> Double? { statusField("VmRSS:") }

    /// Resets VmHWM to the current RSS (writing "5" to /proc/self/clear_refs, Linux ≥ 4.0), so that the next
    /// reading is the peak of one measurement only. Returns false when the kernel refuses.
    @discardableResult
    static func reset() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        return (try? h.write(contentsOf: Data("5".utf8))) != nil
    }

    private static func statusField(_ key: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let kib = line.dropFirst(key.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) }
            return kib.map { $0 / 1024 }
        }
        return nil
    }
}
