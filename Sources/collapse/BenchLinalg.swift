import ArgumentParser
import Benchmarks

/// `collapse bench linalg`: dgemm/sgemm GFLOP/s through this toolkit's Matrix.gemm (Debian's OpenBLAS)
/// next to NumPy's `matmul` (its bundled OpenBLAS), for n×n products at 1 and 2 threads.
struct BenchLinalg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linalg",
        abstract: "dgemm/sgemm GFLOP/s at n = 256 and 1024, 1 and 2 threads, vs NumPy in the same run."
    )

    @OptionGroup var options: BenchOptions
    @Option(parsing: .upToNextOption, help: "Matrix sizes n (square n×n products).")
    var sizes: [Int] = [256, 1024]
    @Option(parsing: .upToNextOption, help: "Thread counts.")
    var threads: [Int] = [1, 2]
    @Option(help: "Seconds of repeated products per measurement.")
    var seconds: Double = 1.0

    func run() throws {
        var b = LinalgBenchmark(reference: options.reference)
        b.sizes = sizes
        b.threads = threads
        b.seconds = seconds
        try b.run()
    }
}
