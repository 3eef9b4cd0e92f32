import Foundation
import Linalg

/// How `SweepRunner.run` runs a plan.
public struct SweepOptions: Sendable {
    /// Points run at once, each on its own thread of this process (`--jobs`).
    public var jobs: Int = 1
    public var keep: KeepMode = .summary
    public var shard: Shard = .whole
    public init() {}
}

/// What one call of `SweepRunner.run` did.
public struct SweepRunReport: Sendable {
    /// Points of this shard, points it ran now, points skipped because their record existed.
    public var shardPoints: Int
    public var ran: Int
    public var skipped: Int
    /// Status → count over the points run now.
    public var statuses: [String: Int]
    public var seconds: Double
}

/// Runs the points of a plan in one process: `jobs` worker threads take the next point without a record,
/// run it (`PointRunner`) and write its record. A point's record is its only output that counts, so a
/// killed sweep resumes by running only the points without one; a finished point is never run again.
///
/// BLAS runs single-threaded in every worker by default (`run.threads = 1` in every point's config,
/// set once for the process: OpenBLAS's thread count is process-wide). Each point's result is a
/// function of its config alone, so results do not depend on `jobs` or on the shard.
public enum SweepRunner {
    public static func run(_ plan: SweepPlan, in dir: SweepDirectory, options: SweepOptions,
                           log: @escaping @Sendable (String) -> Void) throws -> SweepRunReport {
        let clock = ContinuousClock()
        let t0 = clock.now
        let mine = plan.points(in: options.shard)
        var todo: [SweepPoint] = []
        for p in mine where try dir.readRecord(id: p.id, overrides: p.overrides) == nil { todo.append(p) }
        let skipped = mine.count - todo.count
        let total = todo.count
        if let t = plan.points.first?.threads, t > 0 { BLASThreads.count = t }
        let queue = WorkQueue(points: todo)
        let jobs = max(1, min(options.jobs, todo.count))
        let group = DispatchGroup()
        for _ in 0..<jobs {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while let p = queue.next() {
                    let row = PointRunner.run(p, directory: options.keep == .summary ? dir.scratch(p.id) : dir.run(p.id), keep: options.keep)
                    do { try dir.writeRecord(p, row: row) } catch {
                        queue.fail(error)
                        return
                    }
                    let n = queue.finished(status: row["status"] ?? "failed")
                    var line = "[\(n)/\(total)] \(p.id) \(row["status"] ?? "") \(p.label)"
                    if let o = row["objective"], !o.isEmpty { line += "  objective=\(o)" }
                    if let o = row["loss"], !o.isEmpty { line += "  loss=\(o)" }
                    if let a = row["eval_accuracy"], !a.isEmpty { line += " eval_accuracy=\(a)" }
                    if let g = row["gap_to_theory"], !g.isEmpty { line += " gap=\(g)" }
                    if let s = row["seconds"], let v = Double(s) { line += String(format: "  %.2f s", v) }
                    log(line)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let e = queue.error { throw e }
        return SweepRunReport(shardPoints: mine.count, ran: todo.count, skipped: skipped, statuses: queue.statuses,
                              seconds: Double((clock.now - t0).components.seconds) + Double((clock.now - t0).components.attoseconds) * 1e-18)
    }
}

/// The points left to run, shared by the worker threads.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var points: [SweepPoint]
    private var position = 0
    private var done = 0
    private(set) var statuses: [String: Int] = [:]
    private(set) var error: Error?

    init(points: [SweepPoint]) { self.points = points }

    func next() -> SweepPoint? {
        lock.lock(); defer { lock.unlock() }
        guard error == nil, position < points.count else { return nil }
        position += 1
        return points[position - 1]
    }

    func finished(status: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        done += 1
        statuses[status, default: 0] += 1
        return done
    }

    func fail(_ e: Error) {
        lock.lock(); defer { lock.unlock() }
        if error == nil { error = e }
    }
}
