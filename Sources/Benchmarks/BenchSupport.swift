import Foundation
import Linalg

/// Wall-clock seconds on a monotonic clock.
@inline(__always) func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// CPU seconds (user + system) consumed by the whole process so far.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Formats a ratio ours/theirs with the direction spelled out.
func ratioText(_ ours: Double, _ theirs: Double) -> String {
    guard theirs > 0 else { return "n/a" }
    return String(format: "%.2f×", ours / theirs)
}

/// The median (mean of the middle two for an even count; NaN for none).
func median(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted(), m = s.count / 2
    return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

extension String {
    /// The string right-aligned in a field of `width` characters.
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// The two sides' BLAS, printed at the top of every suite: this process's (`BLASInfo`) and the reference's
/// (the `blas` member that bench/blas_info.py adds to every script's JSON, from threadpoolctl).
enum BLASBanner {
    static func toolkit() -> String { "toolkit BLAS: \(BLASInfo.current.summary)" }

    static func reference(_ json: [String: Any], side: String = "NumPy") -> String {
        guard let b = json["blas"] as? [String: Any] else { return "\(side) BLAS: not reported" }
        if let e = b["error"] as? String { return "\(side) BLAS: unknown (\(e))" }
        func s(_ k: String) -> String { (b[k]).map { "\($0)" } ?? "?" }
        return "\(side) BLAS: \(s("library")) \(s("version")), core \(s("core")), \(s("threads")) thread(s)"
    }
}
