import Formats

/// How the points of one figure cell (or one x value of a line plot) are reduced to a number.
public enum SweepAggregate: Equatable, Sendable {
    case mean, min, max, median
    /// The fraction of points whose value satisfies `value op threshold`, or `|value| op threshold` when
    /// `op` starts with "abs" (a non-finite value never does).
    case fraction(op: String, threshold: Double)

    public var label: String {
        switch self {
        case .mean: "mean"
        case .min: "min"
        case .max: "max"
        case .median: "median"
        case .fraction(let op, let t):
            op.hasPrefix("abs") ? "fraction with |value| \(op.dropFirst(3)) \(TOMLLiteral.double(t))" : "fraction with value \(op) \(TOMLLiteral.double(t))"
        }
    }

    /// The reduction of `values` (NaN when no value is finite, for mean, min, max and median).
    public func apply(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite)
        switch self {
        case .mean: return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
        case .min: return finite.min() ?? .nan
        case .max: return finite.max() ?? .nan
        case .median:
            guard !finite.isEmpty else { return .nan }
            let s = finite.sorted(), m = s.count / 2
            return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
        case .fraction(let op, let t):
            guard !values.isEmpty else { return .nan }
            let absolute = op.hasPrefix("abs")
            let cmp = absolute ? String(op.dropFirst(3)) : op
            let hits = values.filter { x in
                guard x.isFinite else { return false }
                let v = absolute ? abs(x) : x
                switch cmp {
                case "<": return v < t
                case "<=": return v <= t
                case ">": return v > t
                default: return v >= t
                }
            }.count
            return Double(hits) / Double(values.count)
        }
    }
}

/// A phase diagram: a heat map of `value` over the axes `x` and `y`, aggregated over the other axes.
public struct PhaseFigure: Equatable, Sendable {
    public var name: String
    public var x: String
    public var y: String
    public var value: String
    public var aggregate: SweepAggregate
    /// Draw the theory's collapse boundary (threshold = control) when it has one (default true).
    public var boundary: Bool
}

/// A line plot of `value` against the axis `x`: the aggregate over the other axes, with the min–max band,
/// one curve per value of `series` when given.
public struct LineFigure: Equatable, Sendable {
    public var name: String
    public var x: String
    public var value: String
    public var series: String?
    public var aggregate: SweepAggregate
}

/// `[report]` of a sweep file.
public struct SweepReportSettings: Equatable, Sendable {
    public var phases: [PhaseFigure] = []
    public var lines: [LineFigure] = []

    static func parse(_ t: [String: TOMLValue]) throws -> SweepReportSettings {
        var r = SweepReportSettings()
        for k in t.keys.sorted() where !["phase", "lines"].contains(k) {
            throw SweepError.unknownEntry(name: "report.\(k)", valid: ["report.phase", "report.lines"])
        }
        for (i, e) in list(t["phase"]).enumerated() {
            let f = try fields(e, "report.phase", required: ["x", "y", "value"], optional: ["aggregate", "condition", "name", "boundary"])
            var boundary = true
            if let b = f.raw["boundary"] {
                guard case .bool(let v) = b else { throw SweepError.badEntry(what: "report.phase.boundary", reason: "must be true or false") }
                boundary = v
            }
            let agg = try aggregate(f.strings["aggregate"], condition: f.strings["condition"], what: "report.phase")
            r.phases.append(PhaseFigure(name: f.strings["name"] ?? "phase\(i == 0 ? "" : "-\(i + 1)")", x: f.strings["x"]!,
                                        y: f.strings["y"]!, value: f.strings["value"]!, aggregate: agg, boundary: boundary))
        }
        for (i, e) in list(t["lines"]).enumerated() {
            let f = try fields(e, "report.lines", required: ["x", "value"], optional: ["series", "aggregate", "condition", "name"])
            let agg = try aggregate(f.strings["aggregate"], condition: f.strings["condition"], what: "report.lines")
            r.lines.append(LineFigure(name: f.strings["name"] ?? "lines-\(i + 1)", x: f.strings["x"]!, value: f.strings["value"]!,
                                      series: f.strings["series"], aggregate: agg))
        }
        return r
    }

    private static func list(_ v: TOMLValue?) -> [TOMLValue] {
        switch v {
        case .array(let a)?: a
        case let x?: [x]
        case nil: []
        }
    }

    private static func fields(_ v: TOMLValue, _ what: String, required: [String], optional: [String]) throws
        -> (strings: [String: String], raw: [String: TOMLValue]) {
        guard case .table(let t) = v else { throw SweepError.badEntry(what: what, reason: "must be a table { x = …, value = … }") }
        var out: [String: String] = [:]
        for k in t.keys.sorted() {
            guard required.contains(k) || optional.contains(k) else {
                throw SweepError.unknownEntry(name: "\(what).\(k)", valid: (required + optional).map { "\(what).\($0)" })
            }
            if case .string(let s) = t[k]! { out[k] = s } else if k != "boundary" {
                throw SweepError.badEntry(what: "\(what).\(k)", reason: "must be a string")
            }
        }
        for k in required where out[k] == nil { throw SweepError.badEntry(what: what, reason: "needs \(k) = \"…\"") }
        return (out, t)
    }

    /// `aggregate` ("mean", "min", "max", "median", "fraction"); `condition` ("< 1e-6") for "fraction".
    static func aggregate(_ name: String?, condition: String?, what: String) throws -> SweepAggregate {
        switch name ?? (condition == nil ? "mean" : "fraction") {
        case "mean": return .mean
        case "min": return .min
        case "max": return .max
        case "median": return .median
        case "fraction":
            guard let c = condition else {
                throw SweepError.badEntry(what: what, reason: "aggregate = \"fraction\" needs condition = \"< 1e-6\" (an operator <, <=, >, >= and a number; \"abs < 1e-3\" compares |value|)")
            }
            var parts = c.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let absolute = parts.first == "abs"
            if absolute { parts.removeFirst() }
            guard parts.count == 2, ["<", "<=", ">", ">="].contains(parts[0]), let t = Double(parts[1]) else {
                throw SweepError.badEntry(what: "\(what).condition", reason: "'\(c)' is not an operator and a number, e.g. \"< 1e-6\" (or \"abs < 1e-3\" for |value|)")
            }
            return .fraction(op: (absolute ? "abs" : "") + parts[0], threshold: t)
        case let other:
            throw SweepError.badEntry(what: "\(what).aggregate", reason: "'\(other)'; choose mean, min, max, median or fraction")
        }
    }
}
