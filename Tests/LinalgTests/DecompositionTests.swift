import Testing
@testable import Linalg

@Suite struct DecompositionTests {
    func maxDiff(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double { (a - b).maxAbs() }

    @Test func symmetricEigenReconstructs() throws {
        var rng = Xoshiro256StarStar(seed: 11)
        let x: Matrix<Double> = rng.normalMatrix(rows: 17, cols: 17, standardDeviation: 1)
        let s = x + x.transposed
        let e = try s.symmetricEigen()
        #expect(e.values == e.values.sorted())
        let rec = Matrix.product(e.vectors * Matrix.diagonal(e.values), e.vectors, transposeB: true)
        #expect(maxDiff(rec, s) < 1e-12)
        #expect(maxDiff(Matrix.product(e.vectors, transposeA: true, e.vectors), .identity(17)) < 1e-12)
        let f = try s.converted(to: Float.self).symmetricEigen()
        #expect(abs(Double(f.values[0]) - e.values[0]) < 1e-4)
    }

    @Test(arguments: [(12, 5), (5, 12), (8, 8)])
    func svdReconstructs(m: Int, n: Int) throws {
        var rng = Xoshiro256StarStar(seed: 5)
        let a: Matrix<Double> = rng.normalMatrix(rows: m, cols: n, standardDeviation: 1)
        let d = try a.svd()
        #expect(d.singularValues == d.singularValues.sorted(by: >))
        let rec = d.u * Matrix.diagonal(d.singularValues) * d.vt
        #expect(maxDiff(rec, a) < 1e-12)
    }

    @Test func pseudoInverseSatisfiesPenroseIdentities() throws {
        var rng = Xoshiro256StarStar(seed: 9)
        // rank 3, shape 8×6
        let a = rng.normalMatrix(rows: 8, cols: 3, standardDeviation: 1) * rng.normalMatrix(rows: 3, cols: 6, standardDeviation: 1) as Matrix<Double>
        #expect(try a.rank() == 3)
        let p = try a.pseudoInverse()
        #expect(p.rows == 6 && p.cols == 8)
        #expect(maxDiff(a * p * a, a) < 1e-12)
        #expect(maxDiff(p * a * p, p) < 1e-12)
        #expect(maxDiff((a * p).transposed, a * p) < 1e-12)
        #expect(maxDiff((p * a).transposed, p * a) < 1e-12)
        // The PSD route agrees with the SVD route on a symmetric rank-deficient matrix.
        let g = Matrix.product(a, transposeA: true, a)
        #expect(maxDiff(try g.symmetricPseudoInverse(), try g.pseudoInverse()) < 1e-10)
    }

    @Test func lapackFailuresAreTypedErrors() {
        let nan = Matrix<Double>([[1, .nan], [.nan, 1]])
        #expect(throws: LinalgError.nonFinite(operation: "symmetricEigen")) { try nan.symmetricEigen() }
        #expect(throws: LinalgError.nonFinite(operation: "svd")) { try nan.svd() }
        #expect(throws: LinalgError.notSquare(operation: "symmetricEigen", rows: 2, cols: 3)) {
            try Matrix<Double>(rows: 2, cols: 3).symmetricEigen()
        }
        #expect(throws: LinalgError.illegalArgument(routine: "dsyevd", info: -4)) { try LinalgError.check(-4, "dsyevd") }
        #expect(throws: LinalgError.notConverged(routine: "dgesdd", info: 2)) { try LinalgError.check(2, "dgesdd") }
    }
}
