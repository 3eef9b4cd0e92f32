import Foundation

/// xoshiro256** (Blackman & Vigna, 2018), seeded through SplitMix64: the same 64-bit stream for the same
/// seed on every machine, since it is pure integer arithmetic.
///
/// Uniform doubles take the top 53 bits: u = (x >> 11)·2⁻⁵³ ∈ [0, 1). Standard normals use the
/// Box–Muller transform, one normal per two uniforms (the sine half is discarded so that the generator's
/// whole state is its four words, which a checkpoint stores):
/// z = √(−2·ln(1 − u₁))·cos(2π·u₂). `log` and `cos` come from the C library (glibc here), so normal
/// streams are bit-identical across machines with the same libm; the uniform stream is identical everywhere.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    /// The four state words; never all zero.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the state with four outputs of SplitMix64 started at `seed` (the authors' recommendation).
    public init(seed: UInt64) {
        var z = seed
        func splitmix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        state = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    /// Restores a generator from saved state words (as written by a checkpoint).
    public init(state words: [UInt64]) {
        precondition(words.count == 4 && words.contains { $0 != 0 }, "xoshiro256** state must be 4 words, not all zero")
        state = (words[0], words[1], words[2], words[3])
    }

    /// The state as four words, for checkpoints.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    public static func == (a: Self, b: Self) -> Bool { a.stateWords == b.stateWords }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform on [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal N(0, 1) by Box–Muller (see the type's documentation).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUniform()  // (0, 1], so the log is finite
        let u2 = nextUniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A matrix with i.i.d. N(0, σ²) entries, filled row by row.
    public mutating func normalMatrix<T: BLASScalar>(rows: Int, cols: Int, standardDeviation sigma: Double, as: T.Type = T.self) -> Matrix<T> {
        var m = Matrix<T>(rows: rows, cols: cols)
        for i in 0..<m.count { m.storage[i] = T(sigma * nextNormal()) }
        return m
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates, with unbiased bounded integers).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(next(upperBound: UInt64(i + 1)))
            p.swapAt(i, j)
        }
        return p
    }
}
