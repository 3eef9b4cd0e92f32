import Testing
@testable import Linalg

@Suite struct RandomTests {
    /// The first outputs for seed 0 are pinned: any change to seeding or the generator breaks reproducibility.
    /// Reference: SplitMix64(0) seeding and xoshiro256** as published by Blackman & Vigna.
    @Test func seedZeroStreamIsPinned() {
        var g = Xoshiro256StarStar(seed: 0)
        let first = (0..<4).map { _ in g.next() }
        #expect(first == pinnedSeedZero)
    }

    @Test func normalsHaveUnitVarianceAndAreReproducible() {
        var g = Xoshiro256StarStar(seed: 42), h = Xoshiro256StarStar(seed: 42)
        let xs = (0..<200_000).map { _ in g.nextNormal() }
        #expect(xs == (0..<200_000).map { _ in h.nextNormal() })
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.01)
    }

    @Test func stateRoundTripsAndPermutationIsAPermutation() {
        var g = Xoshiro256StarStar(seed: 5)
        _ = g.next()
        var h = Xoshiro256StarStar(state: g.stateWords)
        #expect(g.next() == h.next())
        #expect(g.permutation(100).sorted() == Array(0..<100))
    }
}

/// Computed by an independent Python implementation of SplitMix64 + xoshiro256** (see git history).
let pinnedSeedZero: [UInt64] = [0x99EC5F36CB75F2B4, 0xBF6E1F784956452A, 0x1A5F849D4933E6E0, 0x6AA594F1262D2D2C]
