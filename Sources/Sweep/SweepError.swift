import Foundation

/// A sweep file, a sweep directory or a shard request that cannot be used. Every case names what to fix:
/// the axis, the point (its number and its axis values) and the underlying config error.
public enum SweepError: Error, Equatable, CustomStringConvertible {
    /// The sweep file is not TOML, or cannot be read.
    case unreadable(path: String, reason: String)
    /// A top-level key or table the schema does not have.
    case unknownEntry(name: String, valid: [String])
    /// A value of the wrong shape (`what` names the entry, e.g. `axes."init.seed"`).
    case badEntry(what: String, reason: String)
    /// `base` names neither a preset nor a config file, or a base the sweep cannot run.
    case badBase(base: String, reason: String)
    /// An axis over a key the config does not have.
    case unknownAxis(key: String, valid: [String])
    /// An axis with no values.
    case emptyAxis(key: String)
    /// The same key on two axes (or in `[set]` and on an axis).
    case duplicateAxis(key: String)
    /// The axes of one zipped group differ in length.
    case zipLengths(group: String, lengths: [(key: String, count: Int)])
    /// An axis value makes the config of a point invalid.
    case invalidPoint(axis: String, point: Int, values: String, reason: String)
    /// `--shard I/N` that is not 0 ≤ I < N.
    case badShard(text: String, reason: String)
    /// The output directory holds another sweep, or is not a sweep directory.
    case directory(path: String, reason: String)
    /// `collect` found points without a record.
    case missingPoints(path: String, missing: [String], total: Int)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "\(p): cannot read the sweep file: \(r)"
        case .unknownEntry(let n, let v): return "unknown sweep entry '\(n)'; valid entries: \(v.joined(separator: ", "))"
        case .badEntry(let w, let r): return "\(w): \(r)"
        case .badBase(let b, let r): return "base = \"\(b)\": \(r)"
        case .unknownAxis(let k, let v):
            return "axis '\(k)' is not a config key; valid keys: \(v.joined(separator: ", "))"
        case .emptyAxis(let k): return "axis '\(k)' has no values: give at least one"
        case .duplicateAxis(let k): return "key '\(k)' is set twice (on two axes, or in [set] and on an axis)"
        case .zipLengths(let g, let l):
            return "zipped group '\(g)': its axes must have the same number of values, found "
                + l.map { "\($0.key): \($0.count)" }.joined(separator: ", ")
        case .invalidPoint(let a, let p, let v, let r):
            return "axis '\(a)' makes point \(p) (\(v)) invalid: \(r)"
        case .badShard(let t, let r): return "shard '\(t)': \(r)"
        case .directory(let p, let r): return "\(p): \(r)"
        case .missingPoints(let p, let m, let t):
            let shown = m.prefix(20).joined(separator: ", ") + (m.count > 20 ? ", … (\(m.count - 20) more)" : "")
            return "\(p): \(m.count) of \(t) points have no result yet: \(shown). Run the missing shards (or `collapse sweep` on the sweep file with --out \(p)), then collect again; --partial draws what exists and marks the missing points"
        }
    }

    public static func == (a: SweepError, b: SweepError) -> Bool { a.description == b.description }
}
