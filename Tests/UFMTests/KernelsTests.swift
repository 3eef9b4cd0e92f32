import Linalg
import Testing
@testable import UFM

/// The elementwise passes (C, one clone per x86-64 vector width) against plain Swift loops. The sums
/// are compared bit for bit with the documented order: eight partial sums, lane i taking the elements
/// ≡ i (mod 8), added as ((0+1)+(2+3))+((4+5)+(6+7)). Whichever clone the loader picked must follow
/// it, which is what makes results identical on machines with different vector widths.
@Suite struct KernelsTests {
    /// Lengths around the vector width of 8, and one that is not L1-sized.
    static let counts = [0, 1, 7, 8, 9, 16, 33, 4001]

    private func data(_ count: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in rng.nextNormal() }
    }

    /// Σ f(x_i) in the kernels' lane order.
    private func laneSum(_ xs: [Double]) -> Double {
        var lanes = [Double](repeating: 0, count: 8)
        for (i, x) in xs.enumerated() { lanes[i % 8] += x }
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    }

    @Test(arguments: counts)
    func reluClampsNegativesAndKeepsNaN(_ count: Int) {
        var x = data(count, seed: 1)
        if count > 3 { x[3] = .nan; x[1] = -0.0 }
        let expected = x.map { $0 < 0 ? 0 : $0 }
        x.withUnsafeMutableBufferPointer { Kernels.relu($0.baseAddress!, count) }
        #expect(zip(x, expected).allSatisfy { $0.bitPattern == $1.bitPattern })
        if count > 3 { #expect(x[3].isNaN) }
    }

    @Test(arguments: counts)
    func reluMaskZeroesWhereTheFeatureIsNotPositive(_ count: Int) {
        var z = data(count, seed: 2).map { max($0, 0) }
        if count > 5 { z[5] = .nan }
        var d = data(count, seed: 3)
        let expected = zip(d, z).map { $1 > 0 ? $0 : 0 }
        z.withUnsafeBufferPointer { zp in d.withUnsafeMutableBufferPointer { Kernels.reluMask($0.baseAddress!, zp.baseAddress!, count) } }
        #expect(zip(d, expected).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test(arguments: counts)
    func scaledCopySquaredNormIsLambdaTimesSourceAndTheLaneOrderedSum(_ count: Int) {
        let src = data(count, seed: 4)
        var dst = [Double](repeating: .nan, count: count)
        let lambda = 0.37
        let s = src.withUnsafeBufferPointer { sp in
            dst.withUnsafeMutableBufferPointer { Kernels.scaledCopySquaredNorm($0.baseAddress!, sp.baseAddress!, lambda, count) }
        }
        #expect(zip(dst, src).allSatisfy { $0 == lambda * $1 })
        #expect(s.bitPattern == laneSum(src.map { $0 * $0 }).bitPattern)
        #expect(abs(s - src.reduce(0) { $0 + $1 * $1 }) <= 1e-12 * max(s, 1))
    }

    /// The MSE pass over a sub-range [lo, hi): entries outside it untouched, r = x − y scaled inside it,
    /// and the two sums in lane order starting at lo.
    @Test(arguments: counts)
    func residualScalesTheRangeAndReturnsBothSums(_ count: Int) {
        let original = data(count + 5, seed: 5)
        var x = original
        let lo = 2, hi = 2 + count, y = 1.0, scale = 1.0 / 7
        let (squares, sum) = x.withUnsafeMutableBufferPointer { Kernels.residual($0.baseAddress!, lo, hi, target: y, scale: scale) }
        let r = original[lo..<hi].map { $0 - y }
        #expect(Array(x[lo..<hi]) == r.map { $0 * scale })
        #expect(Array(x[..<lo]) == Array(original[..<lo]) && Array(x[hi...]) == Array(original[hi...]))
        #expect(squares.bitPattern == laneSum(r.map { $0 * $0 }).bitPattern)
        #expect(sum.bitPattern == laneSum(r.map { $0 * scale }).bitPattern)
    }
}
