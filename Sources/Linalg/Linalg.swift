/// Linalg: the dense `Matrix` type and OpenBLAS/LAPACK wrappers that every other module computes with.
///
/// - `Matrix<Double|Float>`: row-major storage (NumPy's C order).
/// - BLAS: `gemm` with transposes, `gemv`, `add(_:scaledBy:)` (axpy), `scale(by:)`, Frobenius inner product.
/// - LAPACK: `symmetricEigen` (?syevd), `svd` (?gesdd), `pseudoInverse`, `rank`; failures throw `LinalgError`.
/// - `Xoshiro256StarStar`: the seeded generator behind every random initialization.
/// - `BLASThreads`: OpenBLAS's thread count.
public enum Linalg {
    /// The version of the NeuralCollapse toolkit.
    public static let version = "0.1.0"
}
