import Collapse
import Formats
import Foundation
import Linalg

/// `collapse bench measure`: `collapse measure`'s streaming computation on a float32 .npy feature file
/// (N×d, K classes) next to NumPy's in-memory computation of the same metrics (bench/measure.py), wall time
/// and peak memory.
public struct MeasureBenchmark {
    public var reference: ReferenceSide
    /// Sample counts N (one file each).
    public var n: [Int] = [60000, 120000]
    /// Feature dimension d.
    public var d: Int = 512
    /// Number of classes K.
    public var k: Int = 10
    /// Rows per streamed batch.
    public var batchRows: Int = 4096
    /// BLAS threads, for both sides.
    public var threads: Int = 1
    /// Also time the UFM exact path and the compute-only streaming cost.
    public var extra = false

    public init(reference: ReferenceSide) { self.reference = reference }

    /// Generates the files, measures both sides and prints the table (both sides' BLAS first).
    public func run() throws {
        let previous = BLASThreads.count
        defer { BLASThreads.count = previous }
        BLASThreads.count = threads
        print(BLASBanner.toolkit())
        print("collapse bench measure: N×\(d) float32 .npy, K = \(k), \(threads) BLAS thread(s), batches of \(batchRows) rows")
        print("time = load + both passes + every metric (lower is better); ratio = toolkit / NumPy")
        print("       N   toolkit s   NumPy s   ratio   toolkit peak MiB (baseline)   NumPy peak MiB   max rel. diff")
        var referenceBLAS: String? = nil
        for count in n {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("collapse-bench-measure-\(getpid())-\(count)")
            defer { try? FileManager.default.removeItem(at: dir) }
            _ = try PythonReference.run(reference, script: "measure.py",
                                        arguments: ["--generate", dir.path, "--n", "\(count)", "--d", "\(d)", "--k", "\(k)"])
            let ours = try measureToolkit(dir)
            var theirs: [String: Any] = [:]
            if reference.enabled {
                theirs = try PythonReference.run(reference, script: "measure.py", arguments: ["--measure", dir.path],
                                                 environment: ["OPENBLAS_NUM_THREADS": "\(threads)", "OMP_NUM_THREADS": "\(threads)"])
                if referenceBLAS == nil { referenceBLAS = BLASBanner.reference(theirs) }
            }
            let ts = theirs["seconds"] as? Double, tm = theirs["peak_rss_mib"] as? Double
            let diff = ["nc1", "nc1_trace", "nc2_of", "nc2_etf", "nc3", "nc4"].compactMap { name -> Double? in
                guard let a = ours.metrics[name], let b = theirs[name] as? Double else { return nil }
                return abs(a - b) / max(abs(b), 1e-300)
            }.max()
            print(String(format: "%8d  %10.3f  ", count, ours.seconds) + (ts.map { String(format: "%8.3f", $0) } ?? "-").leftPadded(8)
                  + "  " + (ts.map { ratioText(ours.seconds, $0) } ?? "-").leftPadded(6)
                  + String(format: "   %16.0f (%5.0f)", ours.peak, ours.baseline)
                  + "   " + (tm.map { String(format: "%14.0f", $0) } ?? "-").leftPadded(14)
                  + "   " + (diff.map { String(format: "%.1e", $0) } ?? "-").leftPadded(13))
        }
        if let referenceBLAS { print(referenceBLAS) }
        if extra { try runExtra() }
    }

    /// Streams `dir/features.npy` as `collapse measure` does; returns seconds, peak and baseline RSS (MiB).
    private func measureToolkit(_ dir: URL) throws -> (seconds: Double, peak: Double, baseline: Double, metrics: LevelMetrics) {
        let baseline = PeakMemory.currentMiB() ?? .nan
        if !PeakMemory.reset() { print("warning: cannot reset VmHWM (/proc/self/clear_refs); the peak covers the whole process") }
        let t0 = monotonicSeconds()
        let labels = try FeatureFilePlan.labels(integers: NPY.read(dir.appendingPathComponent("labels.npy")).integers, floats: [], path: dir.path)
        let classes = try FeatureFilePlan.classes(of: labels)
        let w = try NPY.read(dir.appendingPathComponent("weight.npy")).matrix(name: "weight")
        let b = try NPY.read(dir.appendingPathComponent("bias.npy")).doubles
        let reader = try NPYRowReader(url: dir.appendingPathComponent("features.npy"))
        let m = try NCMetrics.measure(layer: "features", rows: reader.rows, dimension: reader.cols, labels: labels, classes: classes,
                                      as: Float.self, classifier: Classifier(weight: w, bias: b), batchRows: batchRows) {
            try reader.forEachBatch(maxRows: $0, as: Float.self, $1)
        }
        let seconds = monotonicSeconds() - t0
        return (seconds, PeakMemory.peakMiB() ?? .nan, baseline, m)
    }

    private func runExtra() throws {
        let ufm = try MeasureCore.ufmSeconds(d: d, perClass: 5000 / k, classes: k)
        print(String(format: "UFM exact path, H ∈ R^{%d×%d}, K = %d (statistics + NC4 + all metrics): %.3f s", d, 5000 / k * k, k, ufm))
        var rng = Xoshiro256StarStar(seed: 0)
        let rows = n.first ?? 60000
        let z: Matrix<Float> = rng.normalMatrix(rows: rows, cols: d, standardDeviation: 1)
        let w: Matrix<Double> = rng.normalMatrix(rows: k, cols: d, standardDeviation: 1)
        let core = try MeasureCore.streamingSeconds(z: z, labels: (0..<rows).map { $0 % k }, classes: k,
                                                         classifier: Classifier(weight: w), batch: batchRows)
        print(String(format: "compute only (features already in memory, N = %d): %.3f s", rows, core.seconds))
    }
}
