import Testing
@testable import Linalg

/// Naive triple loop for op(A)·op(B), the independent reference for every gemm test.
func naiveProduct(_ a: Matrix<Double>, _ ta: Bool, _ b: Matrix<Double>, _ tb: Bool) -> Matrix<Double> {
    let m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols, n = tb ? b.rows : b.cols
    return Matrix(rows: m, cols: n) { i, j in
        var s = 0.0
        for p in 0..<k { s += (ta ? a[p, i] : a[i, p]) * (tb ? b[j, p] : b[p, j]) }
        return s
    }
}

@Suite struct GemmTests {
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func gemmMatchesNaiveLoop(ta: Bool, tb: Bool) {
        var rng = Xoshiro256StarStar(seed: 7)
        let (m, k, n) = (7, 13, 5)  // odd, unequal shapes
        let a: Matrix<Double> = ta ? rng.normalMatrix(rows: k, cols: m, standardDeviation: 1) : rng.normalMatrix(rows: m, cols: k, standardDeviation: 1)
        let b: Matrix<Double> = tb ? rng.normalMatrix(rows: n, cols: k, standardDeviation: 1) : rng.normalMatrix(rows: k, cols: n, standardDeviation: 1)
        var c: Matrix<Double> = rng.normalMatrix(rows: m, cols: n, standardDeviation: 1)
        let c0 = c
        c.gemm(a, transposeA: ta, b, transposeB: tb, alpha: 0.5, beta: 2)
        let ref = naiveProduct(a, ta, b, tb)
        for i in 0..<m { for j in 0..<n { #expect(abs(c[i, j] - (0.5 * ref[i, j] + 2 * c0[i, j])) < 1e-12) } }
    }

    @Test func floatGemmMatchesDouble() {
        var rng = Xoshiro256StarStar(seed: 1)
        let a: Matrix<Double> = rng.normalMatrix(rows: 9, cols: 4, standardDeviation: 1)
        let b: Matrix<Double> = rng.normalMatrix(rows: 4, cols: 11, standardDeviation: 1)
        let d = a * b
        let f = a.converted(to: Float.self) * b.converted(to: Float.self)
        for i in 0..<d.count { #expect(abs(Double(f.storage[i]) - d.storage[i]) < 1e-5) }
    }

    @Test func level1AndReductions() {
        var a = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        let b = Matrix<Double>([[1, 1, 1], [1, 1, 1]])
        a.add(b, scaledBy: 2)
        #expect(a == Matrix([[3, 4, 5], [6, 7, 8]]))
        a.scale(by: 0.5)
        #expect(a == Matrix([[1.5, 2, 2.5], [3, 3.5, 4]]))
        #expect(a.rowSums() == [6, 10.5])
        #expect(a.columnSums() == [4.5, 5.5, 6.5])
        #expect(a.transposed.transposed == a)
        #expect(abs(Matrix<Double>([[3, 4]]).frobeniusNorm - 5) < 1e-15)
        #expect(Matrix<Double>([[1e200, 1e200]]).frobeniusNorm.isFinite)
        #expect(a.map { $0 * 2 }.sum() == 2 * a.sum())
    }

    @Test func traceOfProductWithoutForming() {
        var rng = Xoshiro256StarStar(seed: 3)
        let a: Matrix<Double> = rng.normalMatrix(rows: 6, cols: 9, standardDeviation: 1)
        let b: Matrix<Double> = rng.normalMatrix(rows: 9, cols: 6, standardDeviation: 1)
        #expect(abs(Matrix.traceOfProduct(a, b) - (a * b).trace) < 1e-12)
        #expect(abs(Matrix.frobeniusInner(a, b.transposed) - (a * b).trace) < 1e-12)
    }
}
