import Foundation
import Formats
import Report

/// The files of a sweep directory (docs/sweeps.md, "The sweep directory"):
///
/// | file | holds |
/// |---|---|
/// | `plan.json` | the title, the results columns and every point's id and overrides (what `collect` needs) |
/// | `sweep.toml`, `base.toml` | copies of the sweep file and of its base config |
/// | `points/<id>.json` | one finished point's results row, written atomically when the point ends |
/// | `runs/<id>/` | a point's run directory (`--keep metrics` or `all`; with `summary` the point runs in /dev/shm and its directory is deleted) |
/// | `results.csv` | one row per point (`SweepResults`), written when every point has a record |
/// | `figures/*.svg`, `index.html` | the sweep's figures and page |
/// | `slurm/` | the sbatch script and the array tasks' logs |
///
/// Every file is replaced atomically and each point writes only its own files, so shards (processes or
/// Slurm tasks) can share a directory: a point's record either exists whole or not at all.
public struct SweepDirectory: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url }

    public var plan: URL { url.appendingPathComponent("plan.json") }
    public var sweepCopy: URL { url.appendingPathComponent("sweep.toml") }
    public var baseCopy: URL { url.appendingPathComponent("base.toml") }
    public var points: URL { url.appendingPathComponent("points") }
    public var runs: URL { url.appendingPathComponent("runs") }
    public var results: URL { url.appendingPathComponent("results.csv") }
    public var figures: URL { url.appendingPathComponent("figures") }
    public var index: URL { url.appendingPathComponent("index.html") }
    public var slurm: URL { url.appendingPathComponent("slurm") }

    /// The names a sweep directory holds (a directory with only these, e.g. one a concurrent shard is
    /// creating, counts as a sweep directory).
    static let layout: Set<String> = ["plan.json", "sweep.toml", "base.toml", "points", "runs", "results.csv", "figures", "index.html", "slurm"]

    public func record(_ id: String) -> URL { points.appendingPathComponent("\(id).json") }
    public func run(_ id: String) -> URL { runs.appendingPathComponent(id) }

    /// Where a `--keep summary` point runs: a directory in /dev/shm (memory; the run's files are deleted
    /// when it ends, so making them durable would only cost the fsyncs of four atomic writes), or runs/<id>
    /// where /dev/shm is not a writable directory. The name is a fixed function of this directory's path
    /// and the point (FNV-1a), so a resumed sweep reuses, and then deletes, what a killed one left there.
    public func scratch(_ id: String) -> URL {
        let shm = "/dev/shm"
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: shm, isDirectory: &isDir), isDir.boolValue,
              FileManager.default.isWritableFile(atPath: shm) else { return run(id) }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in url.standardizedFileURL.path.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return URL(fileURLWithPath: shm).appendingPathComponent("collapse-sweep-\(String(h, radix: 16))-\(id)")
    }

    /// The plan as JSON: title, axes, columns, and for every point its id and overrides.
    static func planJSON(_ plan: SweepPlan) -> JSONValue {
        ["title": .string(plan.spec.title), "axes": .array(plan.axisKeys.map { .string($0) }),
         "columns": .array(plan.columns.map { .string($0) }),
         "points": .array(plan.points.map { p in ["id": .string(p.id), "overrides": .array(p.overrides.map { .string($0) })] })]
    }

    /// Creates the directory for `plan`, or checks that it already holds the same sweep (a resume, or
    /// another shard). Refuses a directory that holds a different sweep.
    public func prepare(_ plan: SweepPlan, sweepText: String) throws {
        let fm = FileManager.default
        let text = SweepDirectory.planJSON(plan).serialized() + "\n"
        if fm.fileExists(atPath: self.plan.path) {
            let old = (try? String(contentsOf: self.plan, encoding: .utf8)) ?? ""
            guard old == text else {
                throw SweepError.directory(path: url.path, reason: "it holds a different sweep (plan.json differs: other points, axes or base); choose another --out, or delete the directory to start over")
            }
        } else if fm.fileExists(atPath: url.path), let items = try? fm.contentsOfDirectory(atPath: url.path),
                  items.contains(where: { !$0.hasPrefix(".") && !SweepDirectory.layout.contains($0) }) {
            throw SweepError.directory(path: url.path, reason: "it exists and is not a sweep directory (no plan.json); choose another --out")
        }
        try fm.createDirectory(at: points, withIntermediateDirectories: true)
        try AtomicFile.write(text, to: self.plan)
        try AtomicFile.write(sweepText, to: sweepCopy)
        try AtomicFile.write(plan.spec.baseText, to: baseCopy)
    }

    /// Writes a finished point's record (its overrides and its row) atomically.
    public func writeRecord(_ point: SweepPoint, row: [String: String]) throws {
        let fields = JSONValue.object(row.keys.sorted().map { ($0, .string(row[$0]!)) })
        let r: JSONValue = ["id": .string(point.id), "overrides": .array(point.overrides.map { .string($0) }), "row": fields]
        try r.write(to: record(point.id))
    }

    /// The row of a point's record, or nil when the point has none (not run, or killed before it ended).
    /// A record whose overrides differ from `overrides` is an error: it belongs to another sweep.
    public func readRecord(id: String, overrides: [String]) throws -> [String: String]? {
        let u = record(id)
        guard FileManager.default.fileExists(atPath: u.path) else { return nil }
        let r = try JSONValue.read(u)
        guard case .array(let o)? = r["overrides"], o.map({ $0.string ?? "" }) == overrides else {
            throw SweepError.directory(path: u.path, reason: "this record was made with other overrides than the plan's point \(id)")
        }
        guard let members = r["row"]?.members else { throw SweepError.directory(path: u.path, reason: "no row in the record") }
        var row: [String: String] = [:]
        for (k, v) in members { row[k] = v.string ?? "" }
        return row
    }

    /// plan.json read back: (title, axis keys, columns, [(id, overrides)]).
    public func readPlan() throws -> (title: String, axes: [String], columns: [String], points: [(id: String, overrides: [String])]) {
        guard FileManager.default.fileExists(atPath: plan.path) else {
            throw SweepError.directory(path: url.path, reason: "no plan.json: not a sweep directory (collapse sweep SWEEP.toml --out DIR makes one)")
        }
        let j = try JSONValue.read(plan)
        func strings(_ v: JSONValue?) -> [String] { if case .array(let a)? = v { a.compactMap(\.string) } else { [] } }
        var pts: [(String, [String])] = []
        if case .array(let a)? = j["points"] {
            for p in a { pts.append((p["id"]?.string ?? "", strings(p["overrides"]))) }
        }
        return (j["title"]?.string ?? url.lastPathComponent, strings(j["axes"]), strings(j["columns"]), pts)
    }
}
