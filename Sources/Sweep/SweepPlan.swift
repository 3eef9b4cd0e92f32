import Foundation
import Formats
import Nets
import UFM

/// One axis value of a point: the key, its TOML literal (as `--set` takes it and results.csv shows it)
/// and the value.
public struct SweepAssignment: Equatable, Sendable {
    public var key: String
    public var literal: String
    public var value: TOMLValue
}

/// One point of a sweep: its number, its axis values and its validated config: `config` for a UFM sweep,
/// `network` for a trained-network sweep (exactly one of them is set, by the sweep's `SweepBaseKind`).
public struct SweepPoint: Sendable {
    public var index: Int
    /// `p` and the index with six digits (`p000042`): the name of its record and run directory.
    public var id: String
    public var assignments: [SweepAssignment]
    /// Every override applied to the base, in order (threads, `[set]`, then the axes).
    public var overrides: [String]
    public var config: UFMConfig?
    public var network: TrainConfig?

    /// BLAS threads of the point (`run.threads`).
    public var threads: Int { config?.run.threads ?? network?.run.threads ?? 1 }

    public static func id(_ index: Int) -> String {
        let s = String(index)
        return "p" + String(repeating: "0", count: max(0, 6 - s.count)) + s
    }

    /// "key = literal, …" for messages.
    public var label: String { assignments.map { "\($0.key) = \($0.literal)" }.joined(separator: ", ") }
}

/// A sweep expanded into its points, every one validated: building a plan runs nothing, and a plan exists
/// only if every point's config is valid.
public struct SweepPlan: Sendable {
    public var spec: SweepSpec
    public var points: [SweepPoint]
    /// The axis keys in dimension order (zipped groups' keys in their group's place).
    public var axisKeys: [String]
    /// The results.csv columns for these points (`SweepResults.columns`).
    public var columns: [String]

    /// Expands `spec`. Each point runs on `threads` BLAS threads (`run.threads`, unless `[set]` gives it).
    public init(spec: SweepSpec, threads: Int = 1) throws {
        self.spec = spec
        axisKeys = spec.dimensions.flatMap { $0.axes.map(\.key) }
        for d in spec.dimensions where d.count == 0 { throw SweepError.emptyAxis(key: d.name) }
        let head = ["run.threads=\(threads)"] + spec.fixed.map { "\($0.key)=\(SweepLiteral.render($0.values[0]))" }
        var points: [SweepPoint] = []
        points.reserveCapacity(spec.pointCount)
        for index in 0..<spec.pointCount {
            // Mixed radix, the last dimension fastest.
            var rest = index
            var picks = [Int](repeating: 0, count: spec.dimensions.count)
            for j in stride(from: spec.dimensions.count - 1, through: 0, by: -1) {
                picks[j] = rest % spec.dimensions[j].count
                rest /= spec.dimensions[j].count
            }
            var assignments: [SweepAssignment] = []
            for (j, d) in spec.dimensions.enumerated() {
                for a in d.axes {
                    let v = a.values[picks[j]]
                    assignments.append(SweepAssignment(key: a.key, literal: SweepLiteral.render(v), value: v))
                }
            }
            let overrides = head + assignments.map { "\($0.key)=\($0.literal)" }
            func invalid(named: String?, reason: String) -> SweepError {
                let axis = assignments.first { $0.key == named }?.key
                    ?? (assignments.isEmpty ? "[set]" : assignments.map(\.key).joined(separator: ", "))
                return SweepError.invalidPoint(axis: axis, point: index, values: assignments.map { "\($0.key) = \($0.literal)" }.joined(separator: ", "),
                                               reason: reason)
            }
            var point = SweepPoint(index: index, id: SweepPoint.id(index), assignments: assignments, overrides: overrides)
            switch spec.kind {
            case .ufm:
                do {
                    point.config = try UFMConfig.parse(spec.baseText, overrides: overrides, source: spec.baseSource)
                } catch let e as ConfigError {
                    throw invalid(named: SweepPlan.key(of: e), reason: e.description)
                }
            case .network:
                do {
                    point.network = try TrainConfig.parse(spec.baseText, overrides: overrides, source: spec.baseSource)
                } catch {
                    guard case .invalidConfig(let field, _) = error else { throw invalid(named: nil, reason: "\(error)") }
                    throw invalid(named: String(field.prefix { $0 != "=" }), reason: "\(error)")
                }
            }
            points.append(point)
        }
        self.points = points
        switch spec.kind {
        case .ufm: columns = SweepResults.columns(axisKeys: axisKeys, specs: points.compactMap(\.config?.model))
        case .network: columns = SweepResults.networkColumns(axisKeys: axisKeys, configs: points.compactMap(\.network))
        }
    }

    /// The config key a `ConfigError` names, if any.
    static func key(of e: ConfigError) -> String? {
        switch e {
        case .unknownKey(let k, _), .missingKey(let k, _), .wrongType(let k, _, _), .invalidValue(let k, _, _): return k
        case .badOverride(let t, _): return String(t.prefix { $0 != "=" })
        case .syntax, .unknownSection, .unreadable: return nil
        }
    }

    /// The points of shard `shard` (point i belongs to shard i mod N: neighbouring points, which often
    /// cost alike, go to different shards).
    public func points(in shard: Shard) -> [SweepPoint] {
        points.filter { $0.index % shard.count == shard.index }
    }
}
