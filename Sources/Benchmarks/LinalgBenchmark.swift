import Foundation
import Linalg

/// `collapse bench linalg`: dgemm/sgemm GFLOP/s through this toolkit's Matrix.gemm (Debian's OpenBLAS)
/// next to NumPy's `matmul` (its bundled OpenBLAS, bench/linalg.py), for n×n products per thread count.
public struct LinalgBenchmark {
    public var reference: ReferenceSide
    /// Matrix sizes n (square n×n products).
    public var sizes: [Int] = [256, 1024]
    public var threads: [Int] = [1, 2]
    /// Seconds of repeated products per measurement.
    public var seconds: Double = 1.0

    public init(reference: ReferenceSide) { self.reference = reference }

    /// Measures and prints the table (both sides' BLAS first).
    public func run() throws {
        print(BLASBanner.toolkit())
        print("gemm C = A·B, n×n, GFLOP/s = 2n³/t (higher is better); ratio = toolkit / NumPy")
        var header = false
        let previous = BLASThreads.count
        defer { BLASThreads.count = previous }
        for t in threads {
            var table: [String: Double] = [:]
            if reference.enabled {
                let r = try PythonReference.run(
                    reference, script: "linalg.py",
                    arguments: ["--sizes"] + sizes.map(String.init) + ["--seconds", "\(seconds)"],
                    environment: ["OPENBLAS_NUM_THREADS": "\(t)", "OMP_NUM_THREADS": "\(t)"])
                if t == threads.first { print(BLASBanner.reference(r)) }
                for case let row as [String: Any] in (r["results"] as? [Any]) ?? [] {
                    if let name = row["routine"] as? String, let n = row["n"] as? Int, let g = row["gflops"] as? Double {
                        table["\(name)-\(n)"] = g
                    }
                }
            }
            if !header {
                print("threads  routine      n    toolkit      NumPy    ratio")
                header = true
            }
            BLASThreads.count = t
            for n in sizes {
                for routine in ["dgemm", "sgemm"] {
                    let ours = routine == "dgemm" ? gflops(n: n, as: Double.self) : gflops(n: n, as: Float.self)
                    let theirs = table["\(routine)-\(n)"]
                    let numpy = theirs.map { String(format: "%.1f", $0) } ?? "-"
                    let ratio = theirs.map { ratioText(ours, $0) } ?? "-"
                    print(String(format: "%7d  %@  %5d  %9.1f  ", t, routine, n, ours)
                          + numpy.leftPadded(9) + "  " + ratio.leftPadded(7))
                }
            }
        }
    }

    private func gflops<T: BLASScalar>(n: Int, as: T.Type) -> Double {
        var rng = Xoshiro256StarStar(seed: 0)
        let a: Matrix<T> = rng.normalMatrix(rows: n, cols: n, standardDeviation: 1)
        let b: Matrix<T> = rng.normalMatrix(rows: n, cols: n, standardDeviation: 1)
        var c = Matrix<T>(rows: n, cols: n)
        c.gemm(a, b)  // warm-up: thread pool start, page faults
        var reps = 0
        let t0 = monotonicSeconds()
        var dt = 0.0
        repeat {
            c.gemm(a, b)
            reps += 1
            dt = monotonicSeconds() - t0
        } while dt < seconds || reps < 3
        return 2 * Double(n * n * n) * Double(reps) / dt / 1e9
    }
}
