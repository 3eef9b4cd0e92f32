import Foundation
import Formats

/// One axis of a sweep: a config key (`section.key`) and the values it takes, in order.
///
/// Written in the sweep file as one of
///
///     "init.seed" = [0, 1, 2]                              a list of TOML values (any type the key takes)
///     "regularization.lambda_h" = { linear = [a, b], count = n }   a + (b − a)·i/(n − 1), i = 0 … n−1
///     "regularization.lambda_w" = { log = [a, b], count = n }      10^(log₁₀a + (log₁₀b − log₁₀a)·i/(n − 1))
///     "init.seed" = { seeds = n }   (or { seeds = n, start = s })  the integers s, s+1, …, s+n−1
///
/// Both ends of a range are exact (the first value is a, the last is b); count = 1 gives [a].
public struct SweepAxis: Equatable, Sendable {
    public var key: String
    public var values: [TOMLValue]

    public init(key: String, values: [TOMLValue]) {
        self.key = key
        self.values = values
    }

    /// Whether the axis is over the initialization seed (`init.seed`): figures aggregate over it.
    public var isSeed: Bool { key == "init.seed" }

    /// Parses the value of `key` in `[axes]` or `[zip.<group>]`.
    public static func parse(key: String, _ v: TOMLValue) throws -> SweepAxis {
        let what = "axis '\(key)'"
        switch v {
        case .array(let a):
            guard !a.isEmpty else { throw SweepError.emptyAxis(key: key) }
            return SweepAxis(key: key, values: a)
        case .table(let t):
            let kinds = ["linear", "log", "seeds"].filter { t[$0] != nil }
            guard kinds.count == 1 else {
                throw SweepError.badEntry(what: what, reason: "a range table needs exactly one of linear = [a, b], log = [a, b] or seeds = n, found \(kinds.isEmpty ? "none" : kinds.joined(separator: " and "))")
            }
            let allowed = kinds[0] == "seeds" ? ["seeds", "start"] : [kinds[0], "count"]
            if let extra = t.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw SweepError.badEntry(what: what, reason: "unknown entry '\(extra)' in a \(kinds[0]) range; valid: \(allowed.joined(separator: ", "))")
            }
            if kinds[0] == "seeds" {
                let n = try integer(t["seeds"]!, what: "\(what): seeds")
                let start = try t["start"].map { try integer($0, what: "\(what): start") } ?? 0
                guard n >= 1 else { throw SweepError.emptyAxis(key: key) }
                guard start >= 0, start <= Int.max - n else { throw SweepError.badEntry(what: what, reason: "start must be ≥ 0") }
                return SweepAxis(key: key, values: (start..<(start + n)).map { .int($0) })
            }
            guard case .array(let ends)? = t[kinds[0]], ends.count == 2 else {
                throw SweepError.badEntry(what: what, reason: "\(kinds[0]) must be an array of two numbers [a, b]")
            }
            let a = try number(ends[0], what: what), b = try number(ends[1], what: what)
            guard let c = t["count"] else { throw SweepError.badEntry(what: what, reason: "a \(kinds[0]) range needs count = n") }
            let n = try integer(c, what: "\(what): count")
            guard n >= 1 else { throw SweepError.emptyAxis(key: key) }
            if kinds[0] == "log" {
                guard a > 0, b > 0 else { throw SweepError.badEntry(what: what, reason: "a log range needs a > 0 and b > 0, found [\(a), \(b)]") }
                return SweepAxis(key: key, values: logRange(a, b, count: n).map { .double($0) })
            }
            return SweepAxis(key: key, values: linearRange(a, b, count: n).map { .double($0) })
        default:
            throw SweepError.badEntry(what: what, reason: "must be a list of values or a range table ({ linear = [a, b], count = n }, { log = [a, b], count = n }, { seeds = n }), found \(v.typeName)")
        }
    }

    /// a + (b − a)·i/(n − 1) for i = 0 … n−1, with the last value exactly b.
    public static func linearRange(_ a: Double, _ b: Double, count n: Int) -> [Double] {
        guard n > 1 else { return [a] }
        return (0..<n).map { i in i == n - 1 ? b : a + (b - a) * Double(i) / Double(n - 1) }
    }

    /// 10^(log₁₀a + (log₁₀b − log₁₀a)·i/(n − 1)) for i = 0 … n−1, with the first value exactly a and the
    /// last exactly b (a, b > 0).
    public static func logRange(_ a: Double, _ b: Double, count n: Int) -> [Double] {
        guard n > 1 else { return [a] }
        let la = log10(a), lb = log10(b)
        return (0..<n).map { i in
            i == 0 ? a : (i == n - 1 ? b : pow(10, la + (lb - la) * Double(i) / Double(n - 1)))
        }
    }

    private static func number(_ v: TOMLValue, what: String) throws -> Double {
        switch v {
        case .int(let x): return Double(x)
        case .double(let x) where x.isFinite: return x
        default: throw SweepError.badEntry(what: what, reason: "range ends must be finite numbers, found \(v.typeName)")
        }
    }

    private static func integer(_ v: TOMLValue, what: String) throws -> Int {
        guard case .int(let x) = v else { throw SweepError.badEntry(what: what, reason: "must be an integer, found \(v.typeName)") }
        return x
    }
}

/// TOML literals of axis values: what a point passes as `--set key=literal`, and what results.csv shows.
public enum SweepLiteral {
    public static func render(_ v: TOMLValue) -> String {
        switch v {
        case .int(let x): return String(x)
        case .double(let x): return TOMLLiteral.double(x)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return TOMLLiteral.string(s)
        case .array(let a): return "[" + a.map(render).joined(separator: ", ") + "]"
        case .table(let t): return "{ " + t.keys.sorted().map { "\($0) = \(render(t[$0]!))" }.joined(separator: ", ") + " }"
        }
    }

    /// The value as a number, when it is one (for figure axes).
    public static func number(_ v: TOMLValue) -> Double? {
        switch v {
        case .int(let x): return Double(x)
        case .double(let x): return x
        default: return nil
        }
    }
}
