import Foundation
import Formats
import Nets
import Report
import UFM

/// One dimension of the sweep grid: a single axis, or a zipped group of axes that take their i-th values
/// together (all of the same length).
public struct SweepDimension: Equatable, Sendable {
    /// The axis key, or the zipped group's name.
    public var name: String
    public var axes: [SweepAxis]
    public var count: Int { axes[0].values.count }
}

/// What a sweep's base config is, and so what every point runs: one kind per sweep, one results schema.
public enum SweepBaseKind: String, Sendable {
    /// An unconstrained-features config (`collapse run`, `UFMConfig`).
    case ufm
    /// A trained-network config (`collapse train`, `TrainConfig`): a config with a `[data]` section.
    case network

    /// Every key an axis of a sweep over this kind may name: `section.key` for each config key.
    public var configKeys: [String] {
        switch self {
        case .ufm: UFMConfig.schema.flatMap { s in s.keys.map { "\(s.section).\($0)" } }
        case .network: TrainConfig.schema.flatMap { s in s.1.map { "\(s.0).\($0)" } }
        }
    }
}

/// A parsed sweep file (docs/sweeps.md): a base config (UFM or trained network), fixed overrides, and the
/// grid dimensions.
///
/// The points are the Cartesian product of the dimensions, in `order` (default: grid axes and zipped
/// groups sorted by name), the last dimension varying fastest. Point i's config is the base with the
/// `[set]` overrides, then each dimension's values at point i, applied as `--set key=value` would be.
public struct SweepSpec: Sendable {
    public var title: String
    /// `base` as written: a preset name or a path.
    public var base: String
    /// Where the base config comes from (its path, or the shipped preset's location) and its text.
    public var baseSource: String
    public var baseText: String
    /// UFM or trained network: decided by the base (a `[data]` section makes it a network config).
    public var kind: SweepBaseKind
    /// `[set]`: overrides applied to every point, as (key, value).
    public var fixed: [SweepAxis]
    public var dimensions: [SweepDimension]
    public var report: SweepReportSettings

    /// The top-level entries a sweep file may have.
    public static let entries = ["title", "base", "order", "set", "axes", "zip", "report"]

    /// Every key an axis of a UFM sweep may name (`SweepBaseKind.configKeys` for either kind).
    public static var configKeys: [String] { SweepBaseKind.ufm.configKeys }

    /// Reads a sweep file; a relative `base` path is taken relative to the sweep file's folder.
    public static func load(_ url: URL) throws -> SweepSpec {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw SweepError.unreadable(path: url.path, reason: FileSystemError.cause(of: error, path: url.path, writing: false))
        }
        return try parse(text, source: url.path, directory: url.deletingLastPathComponent())
    }

    public static func parse(_ text: String, source: String, directory: URL) throws -> SweepSpec {
        let doc: [String: TOMLValue]
        do { doc = try TOMLValue.parseDocument(text, source: source) } catch {
            switch error {
            case .syntax(_, let m, let l, let c): throw SweepError.unreadable(path: source, reason: "TOML syntax error at \(l):\(c): \(m)")
            case .badOverride(_, let r), .unreadable(_, let r): throw SweepError.unreadable(path: source, reason: r)
            case .notUTF8: throw SweepError.unreadable(path: source, reason: "\(error)")
            }
        }
        for k in doc.keys.sorted() where !entries.contains(k) { throw SweepError.unknownEntry(name: k, valid: entries) }
        guard case .string(let base)? = doc["base"] else {
            throw SweepError.badEntry(what: "base", reason: "give base = \"<preset name>\" (collapse reproduce --list) or base = \"path/to/config.toml\"")
        }
        let (baseSource, baseText, kind) = try resolveBase(base, directory: directory)
        var title = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        if let t = doc["title"] {
            guard case .string(let s) = t else { throw SweepError.badEntry(what: "title", reason: "must be a string") }
            title = s
        }

        let valid = kind.configKeys
        func checkKey(_ k: String) throws {
            guard valid.contains(k) else { throw SweepError.unknownAxis(key: k, valid: valid) }
        }
        var used = Set<String>()
        func claim(_ k: String) throws {
            try checkKey(k)
            guard used.insert(k).inserted else { throw SweepError.duplicateAxis(key: k) }
        }

        var fixed: [SweepAxis] = []
        for (k, v) in try table(doc["set"], "set").sorted(by: { $0.key < $1.key }) {
            try claim(k)
            fixed.append(SweepAxis(key: k, values: [v]))
        }
        var dims: [SweepDimension] = []
        for (k, v) in try table(doc["axes"], "axes").sorted(by: { $0.key < $1.key }) {
            try claim(k)
            dims.append(SweepDimension(name: k, axes: [try SweepAxis.parse(key: k, v)]))
        }
        for (g, v) in try table(doc["zip"], "zip").sorted(by: { $0.key < $1.key }) {
            guard case .table(let t) = v, !t.isEmpty else {
                throw SweepError.badEntry(what: "zip.\(g)", reason: "a zipped group is a table of axes: [zip.\(g)] with key = [values…] lines")
            }
            var axes: [SweepAxis] = []
            for (k, av) in t.sorted(by: { $0.key < $1.key }) {
                try claim(k)
                axes.append(try SweepAxis.parse(key: k, av))
            }
            if Set(axes.map(\.values.count)).count > 1 {
                throw SweepError.zipLengths(group: g, lengths: axes.map { ($0.key, $0.values.count) })
            }
            guard !dims.contains(where: { $0.name == g }) else { throw SweepError.duplicateAxis(key: g) }
            dims.append(SweepDimension(name: g, axes: axes))
        }
        if let o = doc["order"] {
            guard case .array(let names) = o else { throw SweepError.badEntry(what: "order", reason: "must be an array of axis keys and zipped group names") }
            var ordered: [SweepDimension] = []
            for n in names {
                guard case .string(let s) = n, let d = dims.first(where: { $0.name == s }) else {
                    throw SweepError.badEntry(what: "order", reason: "\(n.typeName) is not an axis or zipped group; they are: \(dims.map(\.name).joined(separator: ", "))")
                }
                guard !ordered.contains(where: { $0.name == s }) else { throw SweepError.badEntry(what: "order", reason: "'\(s)' is listed twice") }
                ordered.append(d)
            }
            guard ordered.count == dims.count else {
                let left = dims.map(\.name).filter { n in !ordered.contains { $0.name == n } }
                throw SweepError.badEntry(what: "order", reason: "must list every axis and group; missing: \(left.joined(separator: ", "))")
            }
            dims = ordered
        }
        let report = try SweepReportSettings.parse(try table(doc["report"], "report"))
        return SweepSpec(title: title, base: base, baseSource: baseSource, baseText: baseText, kind: kind, fixed: fixed, dimensions: dims, report: report)
    }

    private static func table(_ v: TOMLValue?, _ name: String) throws -> [String: TOMLValue] {
        guard let v else { return [:] }
        guard case .table(let t) = v else { throw SweepError.badEntry(what: name, reason: "must be a table ([\(name)])") }
        return t
    }

    /// A preset name (`collapse reproduce --list`), else a config path (relative to the sweep file).
    /// Returns where the base comes from (a path, or the preset's location), its text and its kind: a
    /// trained-network config when its TOML has a top-level `data` table (`[data]`), else a UFM config.
    static func resolveBase(_ base: String, directory: URL) throws -> (String, String, SweepBaseKind) {
        let looksLikePath = base.contains("/") || base.hasSuffix(".toml")
        let source: String, text: String
        if looksLikePath {
            let url = (base.hasPrefix("/") ? URL(fileURLWithPath: base) : directory.appendingPathComponent(base)).standardizedFileURL
            guard let t = try? String(contentsOf: url, encoding: .utf8) else {
                throw SweepError.badBase(base: base, reason: "cannot read \(url.path)")
            }
            (source, text) = (url.path, t)
        } else {
            do {
                let preset = try ExperimentPresets.load().named(base)
                (source, text) = (preset.location, preset.text)
            } catch {
                throw SweepError.badBase(base: base, reason: "\(error)")
            }
        }
        let doc: [String: TOMLValue]
        do { doc = try TOMLValue.parseDocument(text, source: source) } catch {
            throw SweepError.badBase(base: base, reason: "\(error)")
        }
        if case .table? = doc["data"] { return (source, text, .network) }
        return (source, text, .ufm)
    }

    /// The number of points: the product of the dimensions' lengths (1 with no axes).
    public var pointCount: Int { dimensions.reduce(1) { $0 * $1.count } }
}
