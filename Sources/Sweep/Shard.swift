/// The I-th of N deterministic slices of a sweep (`--shard I/N`, or a Slurm array task).
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// Parses `I/N` with 0 ≤ I < N.
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw SweepError.badShard(text: text, reason: "write it as I/N, e.g. 0/4 for the first of four shards")
        }
        return try make(index: i, count: n, text: text)
    }

    static func make(index i: Int, count n: Int, text: String) throws -> Shard {
        guard n >= 1 else { throw SweepError.badShard(text: text, reason: "the number of shards N must be ≥ 1") }
        guard i >= 0, i < n else { throw SweepError.badShard(text: text, reason: "the shard index I must be in 0 … \(n - 1)") }
        return Shard(index: i, count: n)
    }

    /// The shard of a Slurm array task: I = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN (0 when unset),
    /// N = SLURM_ARRAY_TASK_COUNT. Nil outside an array job.
    public static func fromSlurm(_ env: [String: String]) throws -> Shard? {
        guard let idText = env["SLURM_ARRAY_TASK_ID"] else { return nil }
        let text = "SLURM_ARRAY_TASK_ID=\(idText), SLURM_ARRAY_TASK_COUNT=\(env["SLURM_ARRAY_TASK_COUNT"] ?? "unset")"
        guard let id = Int(idText), let countText = env["SLURM_ARRAY_TASK_COUNT"], let n = Int(countText) else {
            throw SweepError.badShard(text: text, reason: "an array task needs integer SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT; pass --shard I/N to say it yourself")
        }
        let min = env["SLURM_ARRAY_TASK_MIN"].flatMap { Int($0) } ?? 0
        guard env["SLURM_ARRAY_TASK_STEP"].flatMap({ Int($0) }).map({ $0 == 1 }) ?? true else {
            throw SweepError.badShard(text: text, reason: "the array has a step other than 1; submit it as --array=0-\(n - 1) (collapse sweep slurm writes that)")
        }
        return try make(index: id - min, count: n, text: text)
    }
}
