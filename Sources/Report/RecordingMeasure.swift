import Collapse
import Formats
import Foundation
import Linalg

/// What `collapse measure DIR` reads and how.
public struct RecordingOptions: Sendable {
    /// The labels array's name in every shard.
    public var labels = "labels"
    /// The layers to measure, in this order (nil: every feature array, in recording.json's or file order).
    public var layers: [String]? = nil
    /// K (nil: max label + 1 per epoch).
    public var classes: Int? = nil
    /// Rows per streamed batch.
    public var batchRows = 4096
    /// Held-out features (a recording directory with the same epochs, or one file) for test NC4 and accuracy.
    public var test: URL? = nil
    /// Where metrics.csv, summary.json, figures/ and index.html go (nil: the recording directory).
    public var out: URL? = nil
    /// Out-of-distribution features (a recording directory with the same epochs, or one file) for NC5.
    public var ood: URL? = nil
    /// μ_G of the peers' metrics (`NCMetrics.extended`): the mean of the class means or the sample mean.
    public var globalMean: GlobalMean = .classMeans
    public init() {}
}

/// One epoch's measurement: every layer's metrics and, with a classifier, its accuracy on the features.
public struct EpochMeasurement {
    public var epoch: Int
    public var samples: Int
    public var classes: Int
    /// (layer, d), in measurement order.
    public var layers: [(name: String, dimension: Int)]
    public var metrics: [String: LevelMetrics]
    /// The merged statistics of each layer (all shards).
    public var statistics: [String: ClassStatistics]
    /// The layer that feeds the classifier, when a classifier was found.
    public var classifierLayer: String?
    public var classifier: Classifier?
    /// The classifier on the training (recorded) features.
    public var train: ClassifierAccuracy?
    /// The classifier and the training means on held-out features.
    public var test: ClassifierAccuracy?
}

/// `collapse measure DIR` for the recorder's layout (python/nc_recorder; docs/pytorch.md):
/// `DIR/epoch_NNNN/shard_*.{safetensors,npz}` (labels and one N_s×d array per layer, samples as rows),
/// an optional `DIR/epoch_NNNN/classifier.{safetensors,npz}` (weight K×d, bias K) and an optional
/// `DIR/recording.json` (layer order, the classifier's input layer). A directory of shards without
/// epoch subdirectories is one epoch (0).
///
/// Each shard of each layer is streamed into its own `ClassStatistics`, and the shards are merged
/// (Chan, Golub & LeVeque 1979; `ClassStatistics.merge`), so memory is one batch plus O(K·d + d²) per
/// layer, whatever N is. NC4 and the classifier's accuracy take a second pass over the classifier's
/// layer. Writes metrics.csv (one row per epoch, columns `<metric>_<layer>`), summary.json, and the
/// figures and index.html of `RunReport` (the code `collapse train` uses).
public enum RecordingMeasure {
    public static let manifestName = "recording.json"

    /// Epoch number and directory: `epoch_NNNN` subdirectories in numeric order, or `dir` itself as epoch 0
    /// when it holds shard files directly.
    public static func epochs(in dir: URL) throws -> [(number: Int, url: URL)] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw CollapseError.invalidFile(path: dir.path, reason: "not a directory")
        }
        let names = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
        var out: [(Int, URL)] = []
        for n in names where n.hasPrefix("epoch_") {
            if let k = Int(n.dropFirst(6)), k >= 0 { out.append((k, dir.appendingPathComponent(n))) }
        }
        if out.isEmpty {
            if try !shards(in: dir).isEmpty { return [(0, dir)] }
            throw CollapseError.invalidFile(path: dir.path, reason: "no epoch_NNNN directories and no .safetensors/.npz shards (see docs/pytorch.md for the layout)")
        }
        return out.sorted { $0.0 < $1.0 }.map { (number: $0.0, url: $0.1) }
    }

    /// The shard files of an epoch directory (`.safetensors` and `.npz`, by name), the classifier file excepted.
    public static func shards(in dir: URL) throws -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { n in
            let e = (n as NSString).pathExtension.lowercased()
            return (e == "safetensors" || e == "npz") && !n.hasPrefix("classifier.")
        }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// recording.json's layer order and classifier layer, when present.
    static func manifest(_ dir: URL) throws -> (layers: [String]?, classifierLayer: String?) {
        let u = dir.appendingPathComponent(manifestName)
        guard FileManager.default.fileExists(atPath: u.path) else { return (nil, nil) }
        let j = try JSONValue.read(u)
        var layers: [String]? = nil
        if case .array(let a)? = j["layers"] {
            layers = try a.map { v in
                guard case .string(let s) = v else { throw CollapseError.invalidFile(path: u.path, reason: "'layers' must be a list of names") }
                return s
            }
        }
        var cl: String? = nil
        if case .string(let s)? = j["classifier_layer"] { cl = s }
        return (layers, cl)
    }

    /// The floating-point arrays of a shard that can be layers (not labels, not weight*/bias*), and the rest.
    static func candidates(_ f: FeatureFile, labels: String) -> (layers: [String], ignored: [String]) {
        var layers: [String] = [], ignored: [String] = []
        for a in f.infos where a.name != labels {
            if a.name.hasPrefix("weight") || a.name.hasPrefix("bias") { continue }
            if a.isFloatingPoint && (a.shape.count == 1 || a.shape.count == 2) { layers.append(a.name) } else { ignored.append(a.name) }
        }
        return (layers, ignored)
    }

    /// Measures one epoch's shards. `notes` collects what was ignored.
    public static func measureEpoch(number: Int, directory: URL, options: RecordingOptions, layerOrder: [String]?,
                                    classifierLayer declared: String?, notes: inout [String]) throws -> EpochMeasurement {
        let files = try shards(in: directory)
        guard let first = files.first else {
            throw CollapseError.invalidFile(path: directory.path, reason: "no .safetensors or .npz shards in this epoch directory")
        }
        // Pass 0: headers and labels of every shard; the layer set and every d are checked before any data is read.
        var opened: [(url: URL, file: FeatureFile, labels: [Int])] = []
        var layers: [String] = []
        var dims: [String: Int] = [:]
        for (i, u) in files.enumerated() {
            let f = try FeatureFile(u)
            notes += f.notes
            guard f.shape(options.labels) != nil else {
                throw CollapseError.invalidFile(path: u.path, reason: "no labels array '\(options.labels)' (the shard has: \(f.infos.map(\.name).joined(separator: ", "))); every shard needs the labels of its rows (--labels NAME picks the array)")
            }
            let y = try f.labels(options.labels)
            let (found, other) = candidates(f, labels: options.labels)
            if i == 0 {
                if let chosen = options.layers {
                    for l in chosen where !found.contains(l) {
                        throw CollapseError.invalidFile(path: u.path, reason: "layer '\(l)' (--layers) is not in this shard (its feature arrays: \(found.joined(separator: ", ")))")
                    }
                    layers = chosen
                } else if let order = layerOrder {
                    for l in order where !found.contains(l) {
                        throw CollapseError.invalidFile(path: u.path, reason: "layer '\(l)' of \(manifestName) is not in this shard")
                    }
                    layers = order + found.filter { !order.contains($0) }
                } else {
                    layers = found
                }
                guard !layers.isEmpty else {
                    throw CollapseError.invalidFile(path: u.path, reason: "no floating-point feature arrays besides '\(options.labels)'")
                }
                let skipped = found.filter { !layers.contains($0) } + other
                let note = "ignored arrays \(skipped.joined(separator: ", ")) (not measured as layers)"
                if !skipped.isEmpty, !notes.contains(where: { $0.hasSuffix(note) }) { notes.append("\(u.path): \(note)") }
            } else if options.layers == nil {
                for l in found where !layers.contains(l) {
                    throw CollapseError.invalidFile(path: u.path, reason: "layer '\(l)' is in this shard but not in \(first.lastPathComponent); every shard of an epoch must hold the same layers")
                }
                for l in layers where !found.contains(l) {
                    throw CollapseError.invalidFile(path: u.path, reason: "layer '\(l)' of \(first.lastPathComponent) is missing from this shard; every shard of an epoch must hold the same layers")
                }
            } else {
                for l in layers where !found.contains(l) {
                    throw CollapseError.invalidFile(path: u.path, reason: "layer '\(l)' (--layers) is missing from this shard")
                }
            }
            for l in layers {
                let shape = f.shape(l)!
                guard shape[0] == y.count else {
                    throw CollapseError.invalidFile(path: u.path, reason: "layer '\(l)' has \(shape[0]) rows for \(y.count) labels")
                }
                let d = shape.count == 2 ? shape[1] : 1
                if let d0 = dims[l], d0 != d {
                    throw CollapseError.invalidFile(path: u.path, reason: "layer '\(l)' has d = \(d) here but d = \(d0) in \(first.lastPathComponent)")
                }
                dims[l] = d
            }
            opened.append((u, f, y))
        }
        let maxLabel = opened.map { $0.labels.max() ?? -1 }.max() ?? -1
        let K = options.classes ?? (maxLabel + 1)
        guard K >= 2 else { throw CollapseError.tooFewClasses(layer: directory.path, classes: K) }
        for s in opened {
            if let (i, y) = s.labels.enumerated().first(where: { $0.element < 0 || $0.element >= K }) {
                throw CollapseError.invalidFile(path: s.url.path, reason: "labels[\(i)] = \(y) is outside 0…\(K - 1) (K = \(K)\(options.classes != nil ? ", from --classes" : ""))")
            }
        }

        // The classifier: the epoch's classifier file, else weight/bias in the first shard.
        var classifier: Classifier? = nil
        let classifierLayer = declared.flatMap { layers.contains($0) ? $0 : nil } ?? layers.last!
        let fm = FileManager.default
        let source: FeatureFile? = try ["classifier.safetensors", "classifier.npz"].map { directory.appendingPathComponent($0) }
            .first { fm.fileExists(atPath: $0.path) }.map { try FeatureFile($0) }
            ?? (opened[0].file.shape("weight") != nil ? opened[0].file : nil)
        if let c = source, c.shape("weight") != nil {
            let w = try c.array("weight").matrix(name: "\(c.url.path): weight")
            let d = dims[classifierLayer]!
            guard w.rows == K, w.cols == d else {
                throw CollapseError.invalidFile(path: c.url.path, reason: "weight is \(w.rows)×\(w.cols), but layer '\(classifierLayer)' needs K×d = \(K)×\(d)")
            }
            let b = try c.shape("bias").map { _ in try c.array("bias").doubles }
            classifier = Classifier(weight: w, bias: b)
        }

        // Pass 1: per shard and layer, streamed statistics; shards merged.
        var stats: [String: ClassStatistics] = [:]
        for l in layers {
            var total = try ClassStatistics(classes: K, dimension: dims[l]!, layer: l)
            for s in opened {
                do {
                    var part = try ClassStatistics(classes: K, dimension: dims[l]!, layer: l)
                    try s.file.forEachBatch(l, maxRows: options.batchRows,
                                            double: { b, r in try part.add(rows: b, labels: s.labels[r..<(r + b.rows)]) },
                                            float: { b, r in try part.add(rows: b, labels: s.labels[r..<(r + b.rows)]) })
                    try total.merge(part)
                } catch {
                    throw CollapseError.invalidFile(path: s.url.path, reason: "layer '\(l)': \(error)")
                }
            }
            do { try total.validate() } catch {
                throw CollapseError.invalidFile(path: directory.path, reason: "layer '\(l)': \(error)")
            }
            stats[l] = total
        }

        // Pass 2 (classifier layer): accuracy and NC4 on the recorded features.
        var train: ClassifierAccuracy? = nil
        if let c = classifier {
            train = try accuracy(of: c, statistics: stats[classifierLayer]!, layer: classifierLayer,
                                 files: opened.map { ($0.url, $0.file, $0.labels) }, batchRows: options.batchRows)
        }
        var metrics: [String: LevelMetrics] = [:]
        for l in layers {
            let isHead = classifier != nil && l == classifierLayer
            let base = try NCMetrics.compute(stats[l]!, classifier: isHead ? classifier : nil, nc4: isHead ? train?.nc4 : nil)
            let more = try NCMetrics.extended(stats[l]!, classifier: isHead ? classifier : nil, globalMean: options.globalMean)
            metrics[l] = LevelMetrics(scalars: base.scalars + more.scalars, vectors: base.vectors)
        }
        return EpochMeasurement(epoch: number, samples: opened.reduce(0) { $0 + $1.labels.count }, classes: K,
                                layers: layers.map { ($0, dims[$0]!) }, metrics: metrics, statistics: stats,
                                classifierLayer: classifier != nil ? classifierLayer : nil, classifier: classifier,
                                train: train, test: nil)
    }

    /// The classifier's and the nearest-training-mean rule's accuracy (and NC4) over `files`.
    static func accuracy(of c: Classifier, statistics: ClassStatistics, layer: String,
                         files: [(URL, FeatureFile, [Int])], batchRows: Int) throws -> ClassifierAccuracy {
        var acc = try ClassifierAccuracy(statistics: statistics, classifier: c)
        for (u, f, y) in files {
            do {
                guard let shape = f.shape(layer) else {
                    throw CollapseError.invalidFile(path: u.path, reason: "no layer '\(layer)' (the classifier's input)")
                }
                let d = shape.count == 2 ? shape[1] : 1
                guard d == statistics.dimension, shape[0] == y.count else {
                    throw CollapseError.invalidFile(path: u.path, reason: "layer '\(layer)' is \(shape[0])×\(d), expected \(y.count)×\(statistics.dimension)")
                }
                for (i, v) in y.enumerated() where v < 0 || v >= statistics.classes {
                    throw CollapseError.invalidFile(path: u.path, reason: "labels[\(i)] = \(v) is outside 0…\(statistics.classes - 1)")
                }
                try f.forEachBatch(layer, maxRows: batchRows,
                                   double: { b, r in try acc.add(rows: b, labels: y[r..<(r + b.rows)]) },
                                   float: { b, r in try acc.add(rows: b, labels: y[r..<(r + b.rows)]) })
            } catch let e as CollapseError {
                if case .invalidFile = e { throw e }
                throw CollapseError.invalidFile(path: u.path, reason: "layer '\(layer)': \(e)")
            }
        }
        return acc
    }

    /// Measures every epoch of `directory` and writes the run files. Returns the epochs and the notes.
    public static func run(directory: URL, options: RecordingOptions = RecordingOptions()) throws -> (epochs: [EpochMeasurement], notes: [String], report: ReportResult) {
        let (order, declared) = try manifest(directory)
        var notes: [String] = []
        var results: [EpochMeasurement] = []
        let all = try epochs(in: directory)
        func heldOut(_ t: URL?, _ flag: String) throws -> [Int: [URL]] {
            guard let t else { return [:] }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: t.path, isDirectory: &isDir), isDir.boolValue {
                return Dictionary(uniqueKeysWithValues: try epochs(in: t).map { ($0.number, try shards(in: $0.url)) })
            }
            if all.count > 1 { notes.append("\(flag) \(t.path) is one file: measured against the last epoch (\(all.last!.number)) only") }
            return [all.last!.number: [t]]
        }
        let testEpochs = try heldOut(options.test, "--test")
        let oodEpochs = try heldOut(options.ood, "--ood")
        for e in all {
            var m = try measureEpoch(number: e.number, directory: e.url, options: options, layerOrder: order,
                                     classifierLayer: declared, notes: &notes)
            if let files = testEpochs[e.number], !files.isEmpty {
                guard let c = m.classifier, let l = m.classifierLayer else {
                    throw CollapseError.invalidFile(path: e.url.path, reason: "--test needs the classifier (weight, bias) of this epoch")
                }
                let opened = try files.map { u -> (URL, FeatureFile, [Int]) in
                    let f = try FeatureFile(u)
                    guard f.shape(options.labels) != nil else {
                        throw CollapseError.invalidFile(path: u.path, reason: "no labels array '\(options.labels)'")
                    }
                    return (u, f, try f.labels(options.labels))
                }
                m.test = try accuracy(of: c, statistics: m.statistics[l]!, layer: l, files: opened, batchRows: options.batchRows)
            } else if options.test != nil, testEpochs.count > 1 || all.count == 1 {
                notes.append("--test: no held-out shards for epoch \(e.number)")
            }
            if let files = oodEpochs[e.number], !files.isEmpty {
                try addOOD(files, to: &m, batchRows: options.batchRows)
            }
            results.append(m)
        }
        let out = options.out ?? directory
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try table(results).write(to: out.appendingPathComponent("metrics.csv"))
        try AtomicFile.write(summary(results, directory: directory, notes: notes).serialized() + "\n",
                             to: out.appendingPathComponent("summary.json"))
        let report = try RunReport.write(runDirectory: out, title: directory.lastPathComponent, includeETF: true)
        return (results, notes, report)
    }

    /// NC5 per layer (`nc5`, Ammar et al. 2024): the OOD features' sample mean of each layer against the
    /// layer's in-distribution class means. Every measured layer must be in every OOD file with the same d.
    static func addOOD(_ files: [URL], to m: inout EpochMeasurement, batchRows: Int) throws {
        for l in m.layers {
            var sum = [Double](repeating: 0, count: l.dimension)
            var n = 0
            for u in files {
                let f = try FeatureFile(u)
                guard let shape = f.shape(l.name), (shape.count == 2 ? shape[1] : 1) == l.dimension else {
                    throw CollapseError.invalidFile(path: u.path, reason: "no layer '\(l.name)' with d = \(l.dimension) (needed for NC5 against the in-distribution features)")
                }
                func add<T: BinaryFloatingPoint>(_ b: Matrix<T>) {
                    b.withUnsafeBufferPointer { p in
                        for i in 0..<b.rows { for j in 0..<l.dimension { sum[j] += Double(p[i * l.dimension + j]) } }
                    }
                    n += b.rows
                }
                try f.forEachBatch(l.name, maxRows: batchRows, double: { b, _ in add(b) }, float: { b, _ in add(b) })
            }
            guard n > 0 else { throw CollapseError.invalidFile(path: files[0].path, reason: "no OOD samples for layer '\(l.name)'") }
            let g = sum.map { $0 / Double(n) }
            let base = m.metrics[l.name]!
            m.metrics[l.name] = LevelMetrics(scalars: base.scalars + [("nc5", NC.oodOrthogonality(means: m.statistics[l.name]!.means, oodMean: g))],
                                             vectors: base.vectors)
        }
    }

    /// metrics.csv: `epoch`, the classifier's accuracies, then `<metric>_<layer>` for every layer.
    public static func table(_ epochs: [EpochMeasurement]) -> MetricsTable {
        var columns = ["epoch"]
        func add(_ c: String) { if !columns.contains(c) { columns.append(c) } }
        for e in epochs {
            if e.train != nil { add("train_accuracy"); add("train_ncc_accuracy") }
            if e.test != nil { add("test_accuracy"); add("test_ncc_accuracy"); add("test_nc4") }
        }
        for e in epochs { for l in e.layers { for s in e.metrics[l.name]!.suffixed(l.name) { add(s.name) } } }
        var t = MetricsTable(columns: columns)
        for e in epochs {
            var row: [String: Double] = ["epoch": Double(e.epoch)]
            if let a = e.train { row["train_accuracy"] = a.accuracy; row["train_ncc_accuracy"] = a.nearestCenterAccuracy }
            if let a = e.test { row["test_accuracy"] = a.accuracy; row["test_ncc_accuracy"] = a.nearestCenterAccuracy; row["test_nc4"] = a.nc4 }
            for l in e.layers { for s in e.metrics[l.name]!.suffixed(l.name) { row[s.name] = s.value } }
            t.append(row)
        }
        return t
    }

    /// summary.json: the recording's shape, the last epoch's metrics per layer, per-class accuracies, notes.
    static func summary(_ epochs: [EpochMeasurement], directory: URL, notes: [String]) -> JSONValue {
        var root: JSONValue = ["source": "collapse measure", "recording": .string(directory.path),
                               "epochs": .array(epochs.map { .number(Double($0.epoch)) })]
        guard let last = epochs.last else { return root }
        root.set("samples", .number(Double(last.samples)))
        root.set("classes", .number(Double(last.classes)))
        root.set("layers", .array(last.layers.map { ["name": .string($0.name), "d": .number(Double($0.dimension))] }))
        root.set("classifier_layer", last.classifierLayer.map { .string($0) } ?? .null)
        var final: JSONValue = [:]
        for l in last.layers {
            var o: JSONValue = [:]
            for (n, v) in last.metrics[l.name]!.scalars { o.set(n, JSONValue(v)) }
            final.set(l.name, o)
        }
        root.set("final", final)
        func split(_ a: ClassifierAccuracy) -> JSONValue {
            ["accuracy": JSONValue(a.accuracy), "ncc_accuracy": JSONValue(a.nearestCenterAccuracy), "nc4": JSONValue(a.nc4),
             "per_class_accuracy": JSONValue(a.perClassAccuracy), "per_class_ncc_accuracy": JSONValue(a.perClassNearestCenterAccuracy),
             "per_class_samples": .array(a.counts.map { .number(Double($0)) })]
        }
        if let a = last.train { root.set("train", split(a)) }
        if let a = last.test { root.set("test", split(a)) }
        root.set("notes", .array(notes.map { .string($0) }))
        return root
    }
}
