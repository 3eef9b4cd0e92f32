import ArgumentParser
import Collapse
import Formats
import Foundation
import Linalg
import Report

/// `collapse measure FILE`: neural-collapse metrics of features saved by PyTorch, JAX or NumPy.
/// Wiring only: the file conventions are `Collapse.FeatureFilePlan`, the computation `NCMetrics.measure`.
struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "NC1–NC4 and related metrics of features saved in a .npz or .safetensors file.",
        discussion: """
        FILE holds `labels` (N integers in 0…K−1) and one float array per layer with samples as ROWS (N×d, float32 or float64), named as you like; layers are reported in file order. Optional `weight`/`bias` (the last layer's classifier: K×d as PyTorch's Linear.weight, and K entries) or `weight.<layer>`/`bias.<layer>` add NC2 of W, NC3 and NC4; a weight with other than K rows is used for the weight–feature alignment only. Definitions: docs/metrics.md.

        The .npy members of an .npz are streamed in batches of rows (memory does not grow with N); .safetensors files are read whole.
        """
    )

    @Argument(help: "The .npz or .safetensors file.")
    var file: String
    @Flag(help: "Print a JSON object keyed by layer name instead of a table.")
    var json = false
    @Option(help: "The geometry the table (and `nc2`/`nc2w`/`nc3_target` in JSON) measures against: of (orthogonal frame; NC3 with the class means) or etf (simplex ETF; NC3 with the centered means).")
    var target: GramTarget = .simplexETF
    @Option(help: "Number of classes K (default: max label + 1).")
    var classes: Int?
    @OptionGroup var memory: MemoryOption

    @Option(help: "Rows per streamed batch.")
    var batchRows: Int = 4096

    func validate() throws {
        if let k = classes, k < 2 { throw ValidationError("--classes must be at least 2") }
        if batchRows < 1 { throw ValidationError("--batch-rows must be positive") }
    }

    func run() throws {
        memory.apply()
        let source = try FeatureSource(path: file)
        let plan = try FeatureFilePlan.make(source.infos, path: file)
        let labelArray = try source.array("labels")
        let labels = try FeatureFilePlan.labels(integers: labelArray.integers, floats: labelArray.doubles, path: file)
        let k = try FeatureFilePlan.classes(of: labels, requested: classes)
        var results: [(FeatureFilePlan.Layer, LevelMetrics)] = []
        for layer in plan.layers {
            var classifier: Classifier? = nil, weight: Matrix<Double>? = nil
            if let w = layer.weight {
                let m = try source.array(w).matrix(name: w)
                if m.rows == k {
                    classifier = Classifier(weight: m, bias: try layer.bias.map { try source.array($0).doubles })
                } else if let b = layer.bias {
                    throw CollapseError.shapeMismatch(layer: layer.name, what: "'\(w)' (given with '\(b)')", expected: "\(k)×\(layer.dimension) (K×d)",
                                                      found: "\(m.rows)×\(m.cols)")
                } else {
                    weight = m
                }
            }
            results.append((layer, try source.measure(layer, labels: labels, classes: k, classifier: classifier,
                                                      weight: weight, batchRows: batchRows)))
        }
        for (_, m) in results { for w in m.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) } }
        if json { print(jsonReport(results).serialized()) } else { printTable(results, samples: labels.count, classes: k) }
    }

    private func jsonReport(_ results: [(FeatureFilePlan.Layer, LevelMetrics)]) -> JSONValue {
        var root: JSONValue = [:]
        for (layer, m) in results {
            var o: JSONValue = ["d": .number(Double(layer.dimension))]
            for (name, value) in m.scalars { o.set(name, JSONValue(value)) }
            o.set("nc2", JSONValue(m["nc2_\(target.rawValue)"]))
            if let w = m["nc2w_\(target.rawValue)"] { o.set("nc2w", JSONValue(w)) }
            if let c = m[target == .simplexETF ? "nc3_centered" : "nc3"] { o.set("nc3_target", JSONValue(c)) }
            for (name, values) in m.vectors { o.set(name, JSONValue(values)) }
            root.set(layer.name, o)
        }
        return root
    }

    private func printTable(_ results: [(FeatureFilePlan.Layer, LevelMetrics)], samples: Int, classes: Int) {
        print("\(file): N = \(samples) samples, K = \(classes) classes; NC2 target: \(target.rawValue) (docs/metrics.md)")
        // NC3 follows the target: the simplex-ETF geometry is that of the globally centered means (nc3_centered).
        let nc3 = target == .simplexETF ? "nc3_centered" : "nc3"
        let columns = ["nc1", "nc1_trace", "nc2_\(target.rawValue)", "cdnv", "equinorm", "nc2w_\(target.rawValue)", nc3, "nc4"]
        let width = max(5, results.map(\.0.name.count).max() ?? 5)
        print("layer".padding(toLength: width, withPad: " ", startingAt: 0) + "      d" + columns.map { $0.leftPadded(13) }.joined())
        for (layer, m) in results {
            let cells = columns.map { name in (m[name].map { String(format: "%.4g", $0) } ?? "-").leftPadded(13) }
            print(layer.name.padding(toLength: width, withPad: " ", startingAt: 0) + String(layer.dimension).leftPadded(7) + cells.joined())
        }
    }
}

extension GramTarget: ExpressibleByArgument {}

/// The arrays of a `.npz` (headers read, members streamed) or `.safetensors` (read whole) file.
struct FeatureSource {
    let url: URL
    let isNPZ: Bool
    let infos: [FeatureFilePlan.ArrayInfo]
    private let readers: [String: NPYRowReader]
    private let tensors: [String: NDArray]

    init(path: String) throws {
        url = URL(fileURLWithPath: path)
        switch url.pathExtension.lowercased() {
        case "npz":
            isNPZ = true
            var r: [String: NPYRowReader] = [:], whole: [String: NDArray] = [:], infos: [FeatureFilePlan.ArrayInfo] = []
            for name in try NPZ.names(in: url) {
                do {
                    let reader = try NPYRowReader(npz: url, member: name)
                    r[name] = reader
                    infos.append(.init(name: name, shape: reader.header.shape, isFloatingPoint: reader.dtype.isFloatingPoint))
                } catch {
                    // Members that cannot be streamed by rows (a Fortran-order array, as np.savez writes for a
                    // transposed array) are read whole; if that fails too, the streaming error is the one to show.
                    guard let a = try? NPZ.member(name, in: url) else { throw error }
                    if a.shape.count == 2, a.count > 1 << 20 {
                        FileHandle.standardError.write(Data("note: \(name) is not C-ordered, so it is read whole instead of streamed (save it with numpy.ascontiguousarray to stream it)\n".utf8))
                    }
                    whole[name] = a
                    infos.append(.init(name: name, shape: a.shape, isFloatingPoint: a.dtype.isFloatingPoint))
                }
            }
            readers = r
            tensors = whole
            self.infos = infos
        case "safetensors":
            isNPZ = false
            let all = try Safetensors.read(url)
            readers = [:]
            tensors = Dictionary(all.map { ($0.name, $0.array) }, uniquingKeysWith: { a, _ in a })
            infos = all.map { .init(name: $0.name, shape: $0.array.shape, isFloatingPoint: $0.array.dtype.isFloatingPoint) }
        default:
            throw CollapseError.invalidFile(path: path, reason: "expected a .npz or .safetensors file")
        }
    }

    /// A whole (small) array: labels, weight, bias.
    func array(_ name: String) throws -> NDArray {
        if let t = tensors[name] { return t }
        return try NPZ.member(name, in: url)
    }

    /// Streams one layer through `NCMetrics.measure` in its own precision.
    func measure(_ layer: FeatureFilePlan.Layer, labels: [Int], classes: Int, classifier: Classifier?,
                 weight: Matrix<Double>?, batchRows: Int) throws -> LevelMetrics {
        let reader = readers[layer.name]
        let source: any RowBatchSource = try reader ?? InMemoryRows(tensors[layer.name]!, name: layer.name)
        let isDouble = (reader?.dtype ?? tensors[layer.name]!.dtype) == .float64
        func run<T: FeatureScalar>(_: T.Type) throws -> LevelMetrics {
            try NCMetrics.measure(layer: layer.name, rows: source.rows, dimension: source.cols, labels: labels, classes: classes,
                                  as: T.self, classifier: classifier, weight: weight, batchRows: batchRows) { maxRows, body in
                try source.forEachBatch(maxRows: maxRows, as: T.self, body)
            }
        }
        return isDouble ? try run(Double.self) : try run(Float.self)
    }
}
