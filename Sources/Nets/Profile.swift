import Foundation

/// Where a training step spends its time, by kind of work (for `collapse bench nets`).
public enum ProfileCategory: Int, CaseIterable, Sendable {
    case im2col, winogradTransform, convForwardGemm, convBackwardWeightGemm, convBackwardDataGemm, col2im, weightReduce
    case batchNormForward, batchNormBackward, pool, linear, loss, optimizer, input, other

    public var name: String {
        switch self {
        case .im2col: "im2col"
        case .winogradTransform: "Winograd transforms (input, output, adjoints)"
        case .convForwardGemm: "conv forward sgemm"
        case .convBackwardWeightGemm: "conv backward dW sgemm"
        case .convBackwardDataGemm: "conv backward dX sgemm"
        case .col2im: "col2im"
        case .weightReduce: "dW shard reduction"
        case .batchNormForward: "batch norm (+ReLU, +residual) forward"
        case .batchNormBackward: "batch norm (+ReLU) backward"
        case .pool: "global average pooling"
        case .linear: "linear layers (head, classifier)"
        case .loss: "loss"
        case .optimizer: "SGD step"
        case .input: "input batch (gather, NCHW→CNHW)"
        case .other: "other"
        }
    }
}

/// Thread-time accumulators per `ProfileCategory`, one row per shard so that concurrent shards never share
/// a counter. Disabled (the default) it costs one branch per timed region.
public final class Profile: @unchecked Sendable {
    public var enabled = false
    private var seconds: [[Double]]

    public init(shards: Int) {
        seconds = Array(repeating: Array(repeating: 0, count: ProfileCategory.allCases.count), count: Swift.max(shards, 1))
    }

    @inline(__always) static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Runs `body`, adding its duration to `category` of `shard` when enabled.
    @inline(__always)
    public func time<R>(_ category: ProfileCategory, shard: Int = 0, _ body: () -> R) -> R {
        if !enabled { return body() }
        let t0 = Profile.now()
        let r = body()
        seconds[shard][category.rawValue] += Profile.now() - t0
        return r
    }

    /// Total thread-seconds per category, summed over shards.
    public var totals: [(ProfileCategory, Double)] {
        ProfileCategory.allCases.map { c in (c, seconds.reduce(0) { $0 + $1[c.rawValue] }) }
    }

    public func reset() {
        for s in seconds.indices { for c in seconds[s].indices { seconds[s][c] = 0 } }
    }
}
