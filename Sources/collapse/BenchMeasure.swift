import ArgumentParser
import Benchmarks

/// `collapse bench measure`: `collapse measure`'s streaming computation on a float32 .npy feature file
/// (N×d, K classes) next to NumPy's in-memory computation of the same metrics, wall time and peak memory.
struct BenchMeasure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Streaming NC metrics of an N×d float32 .npy file vs NumPy in memory: seconds and peak RSS.",
        discussion: """
        bench/measure.py writes features.npy (N×d float32, samples as rows), labels.npy, weight.npy and bias.npy into a temporary directory. The toolkit then streams the file twice (class statistics, then NC4) in batches of --batch-rows rows and computes nc1, nc1_trace, nc2, nc3, nc4 and the rest; NumPy (a fresh python3 process) loads the whole file, converts it to float64 and computes the same formulas. Both read a file that is in the page cache. Peak memory: VmHWM of this process, reset before each measurement through /proc/self/clear_refs (so it includes this process's baseline, printed too), and ru_maxrss of the Python process (including NumPy itself).
        """
    )

    @OptionGroup var options: BenchOptions
    @Option(parsing: .upToNextOption, help: "Sample counts N (one file each).")
    var n: [Int] = [60000, 120000]
    @Option(help: "Feature dimension d.")
    var d: Int = 512
    @Option(help: "Number of classes K.")
    var k: Int = 10
    @Option(help: "Rows per streamed batch.")
    var batchRows: Int = 4096
    @Option(help: "BLAS threads, for both sides.")
    var threads: Int = 1
    @Flag(help: "Also time the UFM exact path (d×N class-major H, N = 5000, d = --d) and the compute-only streaming cost.")
    var extra = false

    func run() throws {
        var b = MeasureBenchmark(reference: options.reference)
        b.n = n
        b.d = d
        b.k = k
        b.batchRows = batchRows
        b.threads = threads
        b.extra = extra
        try b.run()
    }
}
