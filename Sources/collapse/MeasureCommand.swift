import ArgumentParser
import Collapse
import Formats
import Foundation
import Linalg
import Report

/// `collapse measure FILE|DIR`: neural-collapse metrics of features saved by PyTorch, JAX or NumPy.
/// Wiring only: the file conventions are `Collapse.FeatureFilePlan`, the computation `NCMetrics.measure`;
/// a recording directory is `Report.RecordingMeasure`.
struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "NC1–NC4 and related metrics of features saved in a .npz or .safetensors file, or of a recording directory.",
        discussion: """
        FILE holds `labels` (N integers in 0…K−1) and one float array per layer with samples as ROWS (N×d, float16, bfloat16, float32 or float64), named as you like; layers are reported in file order. Optional `weight`/`bias` (the last layer's classifier: K×d as PyTorch's Linear.weight, and K entries) or `weight.<layer>`/`bias.<layer>` add NC2 of W, NC3 and NC4; a weight with other than K rows is used for the weight–feature alignment only. Definitions: docs/metrics.md.

        DIR is what python/nc_recorder writes (docs/pytorch.md): epoch_NNNN/shard_*.safetensors (or .npz) with labels and one array per layer, epoch_NNNN/classifier.safetensors (weight, bias), recording.json (layer order). Shards are streamed and merged; DIR receives metrics.csv (one row per epoch, columns <metric>_<layer>), summary.json, figures/ and index.html, as `collapse train` writes them. --test gives NC4 and accuracy (overall and per class) on held-out features with the training class means and classifier: a directory with the same epochs, or one file for the last epoch.

        .npz members and .safetensors tensors are streamed in batches of rows (memory does not grow with N).
        """
    )

    @Argument(help: "The .npz or .safetensors file, or a recording directory.")
    var file: String
    @Flag(help: "Print a JSON object keyed by layer name instead of a table (FILE only).")
    var json = false
    @Option(help: "The geometry the table (and `nc2`/`nc2w`/`nc3_target` in JSON) measures against: of (orthogonal frame; NC3 with the class means) or etf (simplex ETF; NC3 with the centered means).")
    var target: GramTarget = .simplexETF
    @Option(help: "Number of classes K (default: max label + 1).")
    var classes: Int?
    @OptionGroup var memory: MemoryOption

    @Option(help: "Rows per streamed batch.")
    var batchRows: Int = 4096
    @Option(help: "The name of the labels array.")
    var labels: String = "labels"
    @Option(help: "Measure only these layers, comma-separated, in this order; other arrays are ignored with a note.")
    var layers: String?
    @Option(help: "Held-out features for test NC4 and accuracy (DIR only): a recording directory or one file.")
    var test: String?
    @Option(help: "Out-of-distribution features for NC5 per layer (DIR only): a recording directory or one file.")
    var ood: String?
    @Option(help: "Where a DIR measurement writes its files (default: DIR).")
    var out: String?
    @Option(help: "μ_G of gnc2, nc3_zhu, unc3, bias_relation (DIR): class_means (mean of the class means) or sample_mean.")
    var globalMean: GlobalMean = .classMeans

    var layerList: [String]? { layers.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } }

    func validate() throws {
        if let k = classes, k < 2 { throw ValidationError("--classes must be at least 2") }
        if batchRows < 1 { throw ValidationError("--batch-rows must be positive") }
        if let l = layerList, l.isEmpty || l.contains("") { throw ValidationError("--layers needs comma-separated layer names") }
    }

    func run() throws {
        memory.apply()
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isDir), isDir.boolValue {
            return try runDirectory()
        }
        if test != nil || out != nil || ood != nil { throw ValidationError("--test, --ood and --out apply to a recording directory") }
        let source = try FeatureFile(URL(fileURLWithPath: file))
        for n in source.notes { FileHandle.standardError.write(Data("note: \(n)\n".utf8)) }
        // --labels and --layers select arrays: the plan sees the labels as `labels` and only the chosen layers.
        var infos = source.infos
        guard infos.contains(where: { $0.name == labels }) else {
            throw CollapseError.invalidFile(path: file, reason: "no array named '\(labels)' (the file has: \(infos.map(\.name).joined(separator: ", "))); --labels NAME picks the labels array")
        }
        if labels != "labels" {
            infos = infos.filter { $0.name != "labels" }.map { a in
                var a = a
                if a.name == labels { a.name = "labels" }
                return a
            }
        }
        if let chosen = layerList {
            for l in chosen where !infos.contains(where: { $0.name == l && l != "labels" }) {
                throw CollapseError.invalidFile(path: file, reason: "no layer '\(l)' (--layers); the file has: \(source.infos.map(\.name).joined(separator: ", "))")
            }
            let ignored = infos.filter { $0.name != "labels" && !chosen.contains($0.name) && !$0.name.hasPrefix("weight") && !$0.name.hasPrefix("bias") }
            if !ignored.isEmpty {
                FileHandle.standardError.write(Data("note: ignored arrays \(ignored.map(\.name).joined(separator: ", ")) (not in --layers)\n".utf8))
            }
            infos = infos.filter { $0.name == "labels" || chosen.contains($0.name) || $0.name.hasPrefix("weight") || $0.name.hasPrefix("bias") }
            // File order is the plan's layer order; --layers gives its own.
            infos.sort { a, b in (chosen.firstIndex(of: a.name) ?? Int.max) < (chosen.firstIndex(of: b.name) ?? Int.max) }
        }
        let plan = try FeatureFilePlan.make(infos, path: file)
        let labelValues = try source.labels(labels)
        let k = try FeatureFilePlan.classes(of: labelValues, requested: classes)
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
            let (rows, isDouble) = try source.rowSource(layer.name)
            func measure<T: FeatureScalar>(_: T.Type) throws -> LevelMetrics {
                try NCMetrics.measure(layer: layer.name, rows: rows.rows, dimension: rows.cols, labels: labelValues, classes: k,
                                      as: T.self, classifier: classifier, weight: weight, batchRows: batchRows) { maxRows, body in
                    try rows.forEachBatch(maxRows: maxRows, as: T.self, body)
                }
            }
            results.append((layer, isDouble ? try measure(Double.self) : try measure(Float.self)))
        }
        for (_, m) in results { for w in m.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) } }
        if json { print(jsonReport(results).serialized()) } else { printTable(results, samples: labelValues.count, classes: k) }
    }

    private func runDirectory() throws {
        if json { throw ValidationError("--json applies to one FILE; a directory measurement writes metrics.csv and summary.json") }
        var o = RecordingOptions()
        o.labels = labels
        o.layers = layerList
        o.classes = classes
        o.batchRows = batchRows
        o.test = test.map { URL(fileURLWithPath: $0) }
        o.out = out.map { URL(fileURLWithPath: $0) }
        o.globalMean = globalMean
        o.ood = ood.map { URL(fileURLWithPath: $0) }
        let dir = URL(fileURLWithPath: file)
        let r = try RecordingMeasure.run(directory: dir, options: o)
        for n in r.notes { FileHandle.standardError.write(Data("note: \(n)\n".utf8)) }
        for w in r.report.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        guard let last = r.epochs.last else { return }
        let where_ = (o.out ?? dir).path
        print("\(file): \(r.epochs.count) epoch(s), N = \(last.samples), K = \(last.classes); layers: "
              + last.layers.map { "\($0.name) (d = \($0.dimension))" }.joined(separator: ", "))
        for e in r.epochs {
            var line = "epoch \(e.epoch):"
            if let a = e.train { line += String(format: " train acc %.4f", a.accuracy) }
            if let a = e.test { line += String(format: " test acc %.4f test nc4 %.4g", a.accuracy, a.nc4) }
            line += "  nc1 " + e.layers.map { l in e.metrics[l.name]!["nc1"].map { String(format: "%.4g", $0) } ?? "-" }.joined(separator: " ")
            print(line)
        }
        print("wrote \(where_)/metrics.csv, summary.json, figures/; open \(where_)/index.html")
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
extension GlobalMean: ExpressibleByArgument {}
