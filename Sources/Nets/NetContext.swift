import Linalg

/// What every layer of one network shares: the worker threads, the fixed shard count, per-shard scratch
/// for im2col, and the profile.
///
/// - `shards`: convolutions split the batch into this many contiguous pieces, each computed by
///   single-threaded OpenBLAS. The result depends on `shards`, never on `threads` (see `Workers`).
/// - `columnBudget`: the number of Floats of one im2col chunk per shard; a convolution processes as many
///   samples at a time as fit (at least one). ~1 MiB keeps the column buffer in L2 while OpenBLAS reads it.
public final class NetContext: @unchecked Sendable {
    public let workers: Workers
    public let shards: Int
    public let columnBudget: Int
    public let profile: Profile
    private var columns: [FloatBuffer]

    public init(threads: Int = 1, shards: Int = 2, columnBudget: Int = 1 << 18) {
        precondition(shards >= 1 && columnBudget >= 1)
        workers = Workers(threads: threads)
        self.shards = shards
        self.columnBudget = columnBudget
        profile = Profile(shards: shards)
        columns = (0..<shards).map { _ in FloatBuffer(count: 0) }
    }

    /// Makes sure every shard's column buffer holds at least `count` Floats (called while building layers,
    /// never during a step).
    func reserveColumns(_ count: Int) {
        for s in 0..<shards where columns[s].count < count { columns[s] = FloatBuffer(count: count) }
    }

    /// Shard `s`'s column buffer.
    @inline(__always) func columns(shard s: Int) -> UnsafeMutablePointer<Float> { columns[s].base }

    /// The samples of shard `s` in a batch of `batch`.
    @inline(__always) func shardRange(_ s: Int, batch: Int) -> Range<Int> { Workers.range(s, of: shards, total: batch) }
}
