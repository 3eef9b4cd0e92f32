import Linalg

/// How a convolution is computed (the result differs only by rounding).
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// Winograd F(2×2, 3×3) for 3×3 stride-1 convolutions with at least `NetContext.winogradMinChannels`
    /// input channels, im2col + sgemm otherwise. A function of the shapes only, so runs stay reproducible.
    case automatic
    /// im2col + sgemm everywhere.
    case im2col
    /// Winograd wherever it applies (3×3, stride 1, padding 1), im2col elsewhere.
    case winograd
}

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
    public let algorithm: ConvolutionAlgorithm
    /// With `.automatic`, Winograd is used from this many input channels on (narrower products are too
    /// small for sgemm to pay for the transforms; measured with `collapse bench nets`).
    public let winogradMinChannels: Int
    /// Floats the Winograd layers of one network may keep to reuse the forward pass's transformed input V
    /// in the backward pass (instead of transforming again). Layers reserve in construction order until
    /// the budget is spent; the result is the same either way.
    public let winogradCacheBudget: Int
    private(set) var winogradCacheUsed = 0
    private var columns: [FloatBuffer]

    public init(threads: Int = 1, shards: Int = 2, columnBudget: Int = 1 << 18, algorithm: ConvolutionAlgorithm = .automatic,
                winogradMinChannels: Int = 16, winogradCacheBudget: Int = 1 << 27) {
        precondition(shards >= 1 && columnBudget >= 1)
        workers = Workers(threads: threads)
        self.shards = shards
        self.columnBudget = columnBudget
        self.algorithm = algorithm
        self.winogradMinChannels = winogradMinChannels
        self.winogradCacheBudget = winogradCacheBudget
        profile = Profile(shards: shards)
        columns = (0..<shards).map { _ in FloatBuffer(count: 0) }
    }

    /// Makes sure every shard's column buffer holds at least `count` Floats (called while building layers,
    /// never during a step).
    func reserveColumns(_ count: Int) {
        for s in 0..<shards where columns[s].count < count { columns[s] = FloatBuffer(count: count) }
    }

    /// Reserves `count` Floats of the Winograd cache budget; false when it is spent.
    func reserveWinogradCache(_ count: Int) -> Bool {
        guard winogradCacheUsed + count <= winogradCacheBudget else { return false }
        winogradCacheUsed += count
        return true
    }

    /// Shard `s`'s column buffer.
    @inline(__always) func columns(shard s: Int) -> UnsafeMutablePointer<Float> { columns[s].base }

    /// The samples of shard `s` in a batch of `batch`.
    @inline(__always) func shardRange(_ s: Int, batch: Int) -> Range<Int> { Workers.range(s, of: shards, total: batch) }
}
