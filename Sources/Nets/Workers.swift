import Dispatch

/// Runs independent pieces of work on up to `threads` OS threads (libdispatch's pool).
///
/// Determinism: Nets never lets the partition of work depend on the thread count. Convolutions split the
/// batch into a fixed number of *shards* (a configuration value, `NetContext.shards`), every shard calls
/// single-threaded OpenBLAS, and partial weight gradients are summed in shard order; per-channel work (batch
/// normalization, ReLU) computes each channel entirely on one thread. So 1 or 2 threads give the same bits.
public final class Workers: @unchecked Sendable {
    /// Maximum number of threads used at once.
    public let threads: Int

    public init(threads: Int) {
        precondition(threads >= 1, "need at least one thread")
        self.threads = threads
    }

    /// Calls `body(i)` for i in 0..<count, concurrently when there is more than one thread.
    @inline(__always)
    public func run(_ count: Int, _ body: (Int) -> Void) {
        if threads <= 1 || count <= 1 {
            for i in 0..<count { body(i) }
        } else {
            // The body runs only during this call and each index touches disjoint data (the callers'
            // contract), so handing the non-Sendable closure to libdispatch is safe.
            withoutActuallyEscaping(body) { b in
                let box = UncheckedSendable(b)
                DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
            }
        }
    }

    /// Splits 0..<total into `parts` contiguous ranges of near-equal size (the first ones one larger).
    @inline(__always)
    public static func range(_ part: Int, of parts: Int, total: Int) -> Range<Int> {
        let q = total / parts, r = total % parts
        let lo = part * q + Swift.min(part, r)
        return lo..<(lo + q + (part < r ? 1 : 0))
    }

    /// Runs `body` over `total` independent items (channels, elements) split into one range per thread.
    /// The result must not depend on the split: each item is computed entirely inside one call.
    @inline(__always)
    public func forEachRange(_ total: Int, _ body: (Range<Int>) -> Void) {
        let parts = Swift.max(1, Swift.min(threads, total))
        run(parts) { p in body(Workers.range(p, of: parts, total: total)) }
    }
}

/// A value passed across threads under a contract the compiler cannot check (see `Workers.run`).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
