/// Vectorized reductions and maps over contiguous Float runs (one channel of a channel-major batch).
///
/// Sums accumulate in 16 Float lanes over blocks of at most 1024 elements and in Double across blocks,
/// so a channel of 10⁵ values is summed with about the accuracy of a Double sum of 100 Float partial sums.
enum Kernels {
    typealias V = SIMD16<Float>
    static let block = 1024

    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ i: Int) -> V {
        UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
    }

    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
    }

    /// Σᵢ f(i) over 0..<n, where `vector(i)` gives the 16 terms i…i+15 and `scalar(i)` one term.
    @inline(__always)
    static func sum(_ n: Int, vector: (Int) -> V, scalar: (Int) -> Float) -> Double {
        var total = 0.0
        var i = 0
        let vecEnd = n & ~15
        while i < vecEnd {
            let end = Swift.min(vecEnd, i + block)
            var acc = V()
            while i < end { acc += vector(i); i += 16 }
            total += Double(acc.sum())
        }
        var tail: Float = 0
        while i < n { tail += scalar(i); i += 1 }
        return total + Double(tail)
    }

    /// Two sums at once (one pass over memory).
    @inline(__always)
    static func sum2(_ n: Int, vector: (Int) -> (V, V), scalar: (Int) -> (Float, Float)) -> (Double, Double) {
        var t0 = 0.0, t1 = 0.0
        var i = 0
        let vecEnd = n & ~15
        while i < vecEnd {
            let end = Swift.min(vecEnd, i + block)
            var a0 = V(), a1 = V()
            while i < end { let (u, v) = vector(i); a0 += u; a1 += v; i += 16 }
            t0 += Double(a0.sum()); t1 += Double(a1.sum())
        }
        var s0: Float = 0, s1: Float = 0
        while i < n { let (u, v) = scalar(i); s0 += u; s1 += v; i += 1 }
        return (t0 + Double(s0), t1 + Double(s1))
    }

    /// out[i] = f(i) for i in 0..<n, 16 at a time.
    @inline(__always)
    static func map(_ n: Int, into out: UnsafeMutablePointer<Float>, vector: (Int) -> V, scalar: (Int) -> Float) {
        var i = 0
        let vecEnd = n & ~15
        while i < vecEnd { store(vector(i), out, i); i += 16 }
        while i < n { out[i] = scalar(i); i += 1 }
    }
}
