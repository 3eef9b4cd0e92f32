#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The one memory bound of the toolkit: every size derived from input (a config's widths and class counts,
/// a file's labels and shapes, an optimizer's history) is turned into a `MemoryEstimate` before anything
/// is allocated, and an estimate above `MemoryBudget.limit` is refused with a `MemoryBudgetError` that says
/// how much would be needed and which dimension causes it.
///
/// The limit is the smallest of the machine's physical memory, the cgroup limit of the process (a
/// container's `memory.max`) and the user's `--max-memory`. Estimates are deliberately rough (they count
/// the large arrays and their working copies, not every small buffer): their job is to refuse a request
/// that cannot fit, never to admit one that only just fits.
public enum MemoryBudget {
    private static let userLimit = Atomic<Int>(0)

    /// The user's bound in bytes (`--max-memory`; 0 = none). Set once by the command line before any work.
    public static var userMaximum: Int {
        get { userLimit.load(ordering: .relaxed) }
        set { userLimit.store(max(0, newValue), ordering: .relaxed) }
    }

    /// Physical memory in bytes (sysconf), or nil if the system does not say.
    public static var physicalMemory: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return nil }
        let (b, o) = pages.multipliedReportingOverflow(by: size)
        return o ? Int.max : b
    }

    /// The cgroup v2 (`/sys/fs/cgroup/memory.max`) or v1 (`memory.limit_in_bytes`) limit, if one is set.
    public static var cgroupLimit: Int? {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let f = fopen(path, "r") else { continue }
            defer { fclose(f) }
            var buffer = [CChar](repeating: 0, count: 64)
            guard fgets(&buffer, 64, f) != nil else { continue }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let v = Int(text.trimmingWhitespace), v > 0, v < Int.max / 2 { return v }
        }
        return nil
    }

    /// The bound estimates are checked against, with what sets it.
    public static var limit: (bytes: Int, source: String) {
        var best: (bytes: Int, source: String) = (Int.max, "no limit")
        if let p = physicalMemory { best = (p, "the machine's physical memory") }
        if let c = cgroupLimit, c < best.bytes { best = (c, "the process's memory limit (cgroup)") }
        let u = userMaximum
        if u > 0, u < best.bytes { best = (u, "--max-memory") }
        return best
    }

    /// A byte count for people: "12.8 GB", "320 KB" (decimal units, as `--max-memory` reads them).
    public static func format(bytes: Int) -> String {
        if bytes == Int.max { return "more than 9.2 EB (the size overflows a 64-bit count)" }
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var v = Double(bytes), u = 0
        while v >= 1000, u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(bytes) B" : "\(Double(Int(v * 10 + 0.5)) / 10) \(units[u])"
    }

    /// Parses `--max-memory`: a byte count with an optional decimal (K, M, G, T) or binary (Ki, Mi, Gi, Ti)
    /// suffix and an optional trailing B: "8G", "512MB", "1.5GiB", "1000000". Nil if it is not one.
    public static func parse(_ text: String) -> Int? {
        var s = text.trimmingWhitespace.uppercased()
        if s.hasSuffix("B") { s.removeLast() }
        var factor = 1.0
        let suffixes: [(String, Double)] = [("KI", 1024), ("MI", 1_048_576), ("GI", 1_073_741_824), ("TI", 1_099_511_627_776),
                                            ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)]
        for (suffix, f) in suffixes where s.hasSuffix(suffix) {
            s.removeLast(suffix.count)
            factor = f
            break
        }
        guard let v = Double(s.trimmingWhitespace), v.isFinite, v > 0 else { return nil }
        let bytes = v * factor
        guard bytes >= 1, bytes < 9e18 else { return nil }
        return Int(bytes)
    }
}

/// A memory need, as named terms (`what` says which dimension causes it). Sizes multiply with overflow
/// checks: a term that does not fit in 64 bits saturates at `Int.max` and is refused like any other.
public struct MemoryEstimate: Sendable {
    public struct Term: Sendable, Equatable {
        /// What the bytes are for, naming the dimensions: "the d×d within-class scatter (d = 40000)".
        public var what: String
        public var bytes: Int
    }

    public private(set) var terms: [Term] = []
    public init() {}

    /// The product of `factors` (element counts and the bytes per element), saturating at Int.max.
    public static func product(_ factors: [Int]) -> Int {
        var p = 1
        for f in factors {
            guard f > 0 else { return 0 }
            let (r, o) = p.multipliedReportingOverflow(by: f)
            if o { return Int.max }
            p = r
        }
        return p
    }

    /// Adds a term of `product(factors)` bytes (put the element size among the factors).
    public mutating func add(_ what: String, bytes factors: Int...) { add(what, bytesProduct: factors) }

    public mutating func add(_ what: String, bytesProduct factors: [Int]) {
        terms.append(Term(what: what, bytes: Self.product(factors)))
    }

    /// Σ of the terms, saturating at Int.max.
    public var total: Int {
        terms.reduce(0) { s, t in
            let (r, o) = s.addingReportingOverflow(t.bytes)
            return o ? Int.max : r
        }
    }

    /// Throws when `total` exceeds `limit` (default `MemoryBudget.limit`), naming the largest term.
    public func check(_ context: String, limit given: (bytes: Int, source: String)? = nil) throws(MemoryBudgetError) {
        let limit = given ?? MemoryBudget.limit
        let need = total
        guard need > limit.bytes else { return }
        let largest = terms.max { $0.bytes < $1.bytes }!
        throw MemoryBudgetError(context: context, needed: need, limit: limit.bytes, limitSource: limit.source,
                                largest: largest.what, largestBytes: largest.bytes)
    }
}

/// A request refused before allocating: it would need `needed` bytes, above the limit.
public struct MemoryBudgetError: Error, Equatable, CustomStringConvertible {
    public var context: String
    public var needed: Int
    public var limit: Int
    public var limitSource: String
    public var largest: String
    public var largestBytes: Int

    public var description: String {
        "\(context): would need \(needed == Int.max ? "" : "about ")\(MemoryBudget.format(bytes: needed)) of memory, more than the "
            + "\(MemoryBudget.format(bytes: limit)) of \(limitSource); the largest part is \(largest) "
            + "(\(MemoryBudget.format(bytes: largestBytes))). Reduce that dimension"
            + (limitSource == "--max-memory" ? " or raise --max-memory" : "")
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
