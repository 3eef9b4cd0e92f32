import Collapse
import Formats
import Foundation
import Linalg
import Testing
@testable import Report

/// `collapse measure DIR`: shards streamed and merged equal one file read whole; bad input names file and layer.
@Suite struct RecordingMeasureTests {
    let K = 4, N = 203
    let dims = ["a": 5, "b": 3]

    func temporaryDirectory() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("recording-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// Deterministic features: class means far apart plus noise, at a common offset of 50.
    func data(seed: UInt64) -> (features: [String: Matrix<Float>], labels: [Int], weight: Matrix<Double>, bias: [Double]) {
        var rng = Xoshiro256StarStar(seed: seed)
        let labels = (0..<N).map { ($0 * 7) % K }
        var f: [String: Matrix<Float>] = [:]
        for (name, d) in dims.sorted(by: { $0.key < $1.key }) {
            let centers: Matrix<Double> = rng.normalMatrix(rows: K, cols: d, standardDeviation: 2)
            f[name] = Matrix<Float>(rows: N, cols: d) { i, j in Float(50 + centers[labels[i], j] + 0.3 * rng.nextNormal()) }
        }
        let w: Matrix<Double> = rng.normalMatrix(rows: K, cols: dims["b"]!, standardDeviation: 1)
        return (f, labels, w, (0..<K).map { Double($0) * 0.1 })
    }

    func shard(_ f: [String: Matrix<Float>], _ labels: [Int], _ r: Range<Int>, layers: [String] = ["a", "b"]) -> [(name: String, array: NDArray)] {
        [("labels", NDArray(labels: Array(labels[r])))] + layers.map { ($0, NDArray(f[$0]!.rows(r))) }
    }

    func writeRecording(_ dir: URL, epochs: Int, cuts: [Int], npz: Bool = false) throws -> [[String: LevelMetrics]] {
        var expected: [[String: LevelMetrics]] = []
        for e in 0..<epochs {
            let (f, y, w, b) = data(seed: UInt64(10 + e))
            let ed = dir.appendingPathComponent(String(format: "epoch_%04d", e))
            try FileManager.default.createDirectory(at: ed, withIntermediateDirectories: true)
            let bounds = [0] + cuts + [N]
            for i in 0..<(bounds.count - 1) {
                let arrays = shard(f, y, bounds[i]..<bounds[i + 1])
                let name = String(format: "shard_%05d", i)
                if npz { try NPZ.write(arrays, to: ed.appendingPathComponent(name + ".npz")) }
                else { try Safetensors.write(arrays, to: ed.appendingPathComponent(name + ".safetensors")) }
            }
            try Safetensors.write([("weight", NDArray(w)), ("bias", NDArray(b))], to: ed.appendingPathComponent("classifier.safetensors"))
            // The one-file, in-memory result with the same classifier on the last layer.
            let c = Classifier(weight: w, bias: b)
            func whole(_ l: String, _ c: Classifier?) throws -> LevelMetrics {
                let base = try NCMetrics.measure(rows: f[l]!, labels: y, classes: K, classifier: c, layer: l)
                var s = try ClassStatistics(classes: K, dimension: dims[l]!, layer: l)
                try s.add(rows: f[l]!, labels: y)
                return LevelMetrics(scalars: base.scalars + (try NCMetrics.extended(s, classifier: c)).scalars, vectors: base.vectors)
            }
            expected.append(["a": try whole("a", nil), "b": try whole("b", c)])
        }
        return expected
    }

    func expectClose(_ got: LevelMetrics, _ want: LevelMetrics, _ what: String) {
        #expect(got.names == want.names, "\(what): names")
        for (g, w) in zip(got.scalars, want.scalars) {
            // Ranks are integers; everything else agrees to round-off (the merge order differs).
            let ok = abs(g.value - w.value) <= 1e-9 * Swift.max(abs(w.value), 1) || (g.value.isNaN && w.value.isNaN)
            #expect(ok, "\(what) \(g.name): \(g.value) vs \(w.value)")
        }
    }

    @Test(arguments: [false, true])
    func shardedStreamedEqualsOneFile(npz: Bool) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try writeRecording(dir, epochs: 2, cuts: [1, 64, 150], npz: npz)
        var o = RecordingOptions()
        o.batchRows = 17
        let r = try RecordingMeasure.run(directory: dir, options: o)
        #expect(r.epochs.map(\.epoch) == [0, 1])
        for (e, m) in r.epochs.enumerated() {
            #expect(m.samples == N && m.classes == K)
            #expect(m.layers.map(\.name) == ["a", "b"])
            #expect(m.classifierLayer == "b")
            expectClose(m.metrics["a"]!, expected[e]["a"]!, "epoch \(e) a")
            expectClose(m.metrics["b"]!, expected[e]["b"]!, "epoch \(e) b")
        }
        // metrics.csv: one row per epoch, per-layer columns; figures and index.html from RunReport.
        let table = try MetricsTable.read(dir.appendingPathComponent("metrics.csv"))
        #expect(table.columns.first == "epoch")
        #expect(table.rows.count == 2)
        #expect(table.column("nc1_a")?[1] == r.epochs[1].metrics["a"]!["nc1"])
        #expect(table.column("nc4_b") != nil && table.column("train_accuracy") != nil)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("index.html").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("figures/nc1.svg").path))
        let summary = try JSONValue.read(dir.appendingPathComponent("summary.json"))
        #expect(summary["classes"] == .number(Double(K)))
    }

    @Test func trainAndTestAccuracyPerClass() throws {
        let dir = try temporaryDirectory(), test = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: test) }
        _ = try writeRecording(dir, epochs: 1, cuts: [100])
        let (f, y, w, b) = data(seed: 10)
        // Held-out file: the training features of epoch 0, so test accuracy must equal train accuracy.
        let file = test.appendingPathComponent("test.safetensors")
        try Safetensors.write(shard(f, y, 0..<N), to: file)
        var o = RecordingOptions()
        o.test = file
        let m = try RecordingMeasure.run(directory: dir, options: o).epochs[0]
        let t = try #require(m.test), tr = try #require(m.train)
        // Independent count: argmax(W z + b) and the nearest class mean.
        let z = f["b"]!.converted(to: Double.self)
        var means = Matrix<Double>(rows: K, cols: 3), n = [Int](repeating: 0, count: K)
        for i in 0..<N { n[y[i]] += 1; for j in 0..<3 { means[y[i], j] += z[i, j] } }
        for k in 0..<K { for j in 0..<3 { means[k, j] /= Double(n[k]) } }
        var correct = [Int](repeating: 0, count: K), disagree = 0
        for i in 0..<N {
            let s = (0..<K).map { k in (0..<3).reduce(b[k]) { $0 + w[k, $1] * z[i, $1] } }
            let dist = (0..<K).map { k in (0..<3).reduce(0.0) { $0 + (z[i, $1] - means[k, $1]) * (z[i, $1] - means[k, $1]) } }
            let pred = s.firstIndex(of: s.max()!)!, near = dist.firstIndex(of: dist.min()!)!
            if pred == y[i] { correct[y[i]] += 1 }
            if pred != near { disagree += 1 }
        }
        #expect(t.perClassAccuracy == (0..<K).map { Double(correct[$0]) / Double(n[$0]) })
        #expect(t.accuracy == Double(correct.reduce(0, +)) / Double(N))
        #expect(t.nc4 == Double(disagree) / Double(N))
        #expect(tr.accuracy == t.accuracy)
        #expect(m.metrics["b"]!["nc4"] == t.nc4)
    }

    @Test func nc5AgainstOODFeatures() throws {
        let dir = try temporaryDirectory(), ood = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: ood) }
        _ = try writeRecording(dir, epochs: 1, cuts: [50])
        let (f, y, _, _) = data(seed: 99)   // other features as the OOD set, in two files
        let files = [ood.appendingPathComponent("o1.safetensors"), ood.appendingPathComponent("o2.npz")]
        try Safetensors.write(shard(f, y, 0..<80), to: files[0])
        try NPZ.write(shard(f, y, 80..<N), to: files[1])
        let ed = ood.appendingPathComponent("epoch_0000")
        try FileManager.default.createDirectory(at: ed, withIntermediateDirectories: true)
        for u in files { try FileManager.default.moveItem(at: u, to: ed.appendingPathComponent(u.lastPathComponent)) }
        var o = RecordingOptions()
        o.ood = ood
        let m = try RecordingMeasure.run(directory: dir, options: o).epochs[0]
        let (train, _, _, _) = data(seed: 10)
        for l in ["a", "b"] {
            let d = dims[l]!
            let g = (0..<d).map { j in (0..<N).reduce(0.0) { $0 + Double(f[l]![$1, j]) } / Double(N) }
            var mu = [[Double]](repeating: [Double](repeating: 0, count: d), count: K), n = [Int](repeating: 0, count: K)
            for i in 0..<N { n[y[i]] += 1; for j in 0..<d { mu[y[i]][j] += Double(train[l]![i, j]) } }
            var want = 0.0
            for k in 0..<K {
                let v = mu[k].map { $0 / Double(n[k]) }
                let dot = (0..<d).reduce(0.0) { $0 + v[$1] * g[$1] }
                let nv = v.reduce(0.0) { $0 + $1 * $1 }.squareRoot(), ng = g.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
                want += abs(dot) / (nv * ng) / Double(K)
            }
            #expect(close(m.metrics[l]!["nc5"]!, want, 1e-12), "\(l)")
        }
    }

    func close(_ a: Double, _ b: Double, _ tol: Double) -> Bool { abs(a - b) <= tol * Swift.max(abs(a), abs(b)) }

    func expectError(_ dir: URL, _ o: RecordingOptions = RecordingOptions(), mentions: [String]) {
        do {
            _ = try RecordingMeasure.run(directory: dir, options: o)
            Issue.record("expected an error mentioning \(mentions)")
        } catch {
            let text = "\(error)"
            for m in mentions { #expect(text.contains(m), "\(text) should mention \(m)") }
        }
    }

    @Test func badInputNamesFileAndLayer() throws {
        let (f, y, _, _) = data(seed: 3)
        func make(_ shards: [[(name: String, array: NDArray)]]) throws -> URL {
            let dir = try temporaryDirectory()
            let ed = dir.appendingPathComponent("epoch_0000")
            try FileManager.default.createDirectory(at: ed, withIntermediateDirectories: true)
            for (i, s) in shards.enumerated() { try Safetensors.write(s, to: ed.appendingPathComponent("shard_\(i).safetensors")) }
            return dir
        }
        // Another layer set in a shard.
        var d = try make([shard(f, y, 0..<100), shard(f, y, 100..<N, layers: ["a"])])
        expectError(d, mentions: ["shard_1.safetensors", "layer 'b'", "missing"])
        d = try make([shard(f, y, 0..<100), shard(f, y, 100..<N) + [("c", NDArray(f["a"]!.rows(100..<N)))]])
        expectError(d, mentions: ["shard_1.safetensors", "layer 'c'"])
        // Mismatched d across shards.
        var wide = shard(f, y, 100..<N)
        wide[2] = ("b", NDArray(f["a"]!.rows(100..<N)))
        d = try make([shard(f, y, 0..<100), wide])
        expectError(d, mentions: ["shard_1.safetensors", "layer 'b'", "d = 5", "d = 3"])
        // Labels out of range (--classes).
        d = try make([shard(f, y, 0..<100), shard(f, y, 100..<N)])
        var o = RecordingOptions()
        o.classes = 3
        expectError(d, o, mentions: ["shard_0.safetensors", "outside 0…2"])
        // An epoch with no labels.
        d = try make([shard(f, y, 0..<100), Array(shard(f, y, 100..<N).dropFirst())])
        expectError(d, mentions: ["shard_1.safetensors", "no labels array 'labels'"])
        // --labels and --layers select; other arrays are ignored with a note.
        d = try make([[("y", NDArray(labels: y))] + [("a", NDArray(f["a"]!)), ("b", NDArray(f["b"]!)), ("idx", NDArray(labels: Array(0..<N)))]])
        o = RecordingOptions()
        o.labels = "y"
        o.layers = ["b"]
        let r = try RecordingMeasure.run(directory: d, options: o)
        #expect(r.epochs[0].layers.map(\.name) == ["b"])
        #expect(r.notes.contains { $0.contains("ignored arrays a, idx") })
    }

    /// float16 and bfloat16 tensors stream widened, equal to the same values given as float32.
    @Test func halfPrecisionSafetensorsStreamWidened() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let values: [Float] = [1, -2.5, 0.099975586, 65504, 3.140625, -0.0001, 7, 8, 9, 10, 11, 12]
        let half = values.map { Float16($0) }, brain = values.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) }
        var body = Data()
        for h in half { withUnsafeBytes(of: h.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        for b in brain { withUnsafeBytes(of: b.littleEndian) { body.append(contentsOf: $0) } }
        var header = Array(#"{"h":{"dtype":"F16","shape":[4,3],"data_offsets":[0,24]},"g":{"dtype":"BF16","shape":[4,3],"data_offsets":[24,48]}}"#.utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        file.append(body)
        let u = dir.appendingPathComponent("half.safetensors")
        try file.write(to: u)
        for (name, want) in [("h", half.map { Float($0) }), ("g", brain.map { Float(bitPattern: UInt32($0) << 16) })] {
            let reader = try SafetensorsRowReader(url: u, tensor: name)
            var got: [Float] = []
            try reader.forEachBatch(maxRows: 3, as: Float.self) { b, _ in got += b.storage }
            #expect(got == want, "\(name)")
            var gotD: [Double] = []
            try reader.forEachBatch(maxRows: 2, as: Double.self) { b, _ in gotD += b.storage }
            #expect(gotD == want.map(Double.init))
            #expect(try Safetensors.tensor(name, in: u).doubles == want.map(Double.init))
        }
    }
}
