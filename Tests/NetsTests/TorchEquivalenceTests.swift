import Foundation
import Formats
import Testing
@testable import Nets

/// Runs the repository's PyTorch scripts (bench/), when PyTorch is installed (scripts/setup.sh installs it).
enum TorchSide {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `python3 args…`; returns the exit status and stderr.
    static func python(_ args: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let available: Bool = (try? python(["-c", "import torch, safetensors"]).status) == 0
}

/// One network of the equivalence test; `json` is the config of bench/torch_equivalence.py.
struct EquivalenceCase: Sendable, CustomTestStringConvertible {
    var name: String
    var stem: StemKind
    var loss: LossKind
    var classifierBias: Bool
    var headWidths: [Int] = []
    var headBias = false
    var channels = 1
    var size = 12
    var initialization: InitializationScheme = .pytorch
    var testDescription: String { name }

    static let width = 8, blocks = [1, 1], classes = 4, batch = 16, steps = 20
    static let lr = 0.05, momentum = 0.9, wdBackbone = 5e-4, wdHead = 1e-3, wdClassifier = 2e-4

    var json: String {
        """
        {"channels": \(channels), "size": \(size), "width": \(Self.width), "blocks": \(Self.blocks), "head_widths": \(headWidths),
         "head_bias": \(headBias), "classes": \(Self.classes), "classifier_bias": \(classifierBias), "stem": "\(stem.rawValue)",
         "init": "\(initialization.rawValue)", "loss": "\(loss.rawValue)", "batch": \(Self.batch), "steps": \(Self.steps),
         "lr": \(Self.lr), "momentum": \(Self.momentum), "wd_backbone": \(Self.wdBackbone), "wd_head": \(Self.wdHead),
         "wd_classifier": \(Self.wdClassifier), "seed": 7, "noise": 0.5}
        """
    }

    var model: ResNetConfig {
        ResNetConfig(inputChannels: channels, imageHeight: size, imageWidth: size, width: Self.width, blocks: Self.blocks,
                     headWidths: headWidths, headBias: headBias, classes: Self.classes, classifierBias: classifierBias,
                     stem: stem, initialization: initialization)
    }
}

/// The toolkit trains the same network as PyTorch, step for step: bench/torch_equivalence.py builds the
/// network of `collapse train` in PyTorch (bench/nc_resnet_torch.py), writes its initial state_dict and a
/// fixed sequence of 20 batches (a learnable problem: each class a random pattern, images the pattern plus
/// noise — on pure noise the dynamics amplify round-off chaotically, in PyTorch's float32 run too), and trains 20 SGD steps in train mode (BN batch statistics and running
/// statistics, momentum 0.9, weight decay per group) in float32 and in float64. The toolkit starts from the
/// same state_dict and trains on the same batches. Compared, relative to the float64 run:
/// - every step's loss:              |ℓ_toolkit − ℓ_torch32| / |ℓ_torch64|
/// - every final tensor (weights, BN running mean and variance):  ‖θ_toolkit − θ_torch32‖ / ‖θ_torch64‖
/// - the eval-mode logits of a held-out batch, and num_batches_tracked exactly.
/// Bound: 1e-4 for each (float32 round-off grown over 20 steps; measured ≤ 2e-6, printed by the test). A
/// float32 run can cross a ReLU kink or a max-pool near-tie that another does not (one discrete jump, then
/// it leaves the float64 run too); when PyTorch's float32 run did, the toolkit is held to the float64 run.
/// Then the toolkit's exported weights are loaded by PyTorch (`load_state_dict(strict=True)`) and give the
/// toolkit's eval-mode logits to 1e-5.
@Suite(.serialized) struct TorchEquivalenceTests {
    static let cases: [EquivalenceCase] = [
        EquivalenceCase(name: "mse-cifar-nobias", stem: .cifar, loss: .mse, classifierBias: false),
        EquivalenceCase(name: "ce-imagenet-bias", stem: .imagenet, loss: .ce, classifierBias: true, channels: 3, size: 16),
        EquivalenceCase(name: "mse-imagenet-mlphead", stem: .imagenet, loss: .mse, classifierBias: false, headWidths: [16, 8],
                        size: 16, initialization: .torchvision),
        EquivalenceCase(name: "ce-cifar-mlphead-bias", stem: .cifar, loss: .ce, classifierBias: true, headWidths: [12],
                        headBias: true, initialization: .torchvision),
    ]
    static let bound = 1e-4

    /// ‖a − b‖ / ‖ref‖ in Double.
    func relative(_ a: [Double], _ b: [Double], _ ref: [Double]) -> Double {
        let d = zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let r = ref.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        return r > 0 ? d / r : d
    }

    @Test(.enabled(if: TorchSide.available, "PyTorch is not installed (python3 -c 'import torch, safetensors' fails); scripts/setup.sh installs it"),
          arguments: cases)
    func twentyStepsAgreeWithPyTorch(_ c: EquivalenceCase) throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("torch-equivalence-\(getpid())-\(c.name)")
        try? fm.removeItem(at: dir)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json")
        try c.json.write(to: config, atomically: true, encoding: .utf8)
        let script = TorchSide.root.appendingPathComponent("bench/torch_equivalence.py").path
        let r = try TorchSide.python([script, "train", "--config", config.path, "--out", dir.path])
        try #require(r.status == 0, "bench/torch_equivalence.py failed: \(r.stderr)")
        func tensors(_ file: String) throws -> [String: NDArray] {
            Dictionary(uniqueKeysWithValues: try Safetensors.read(dir.appendingPathComponent(file)).map { ($0.name, $0.array) })
        }
        let batches = try tensors("batches.safetensors"), t32 = try tensors("torch32.safetensors"), t64 = try tensors("torch64.safetensors")

        let B = EquivalenceCase.batch, K = EquivalenceCase.classes, steps = EquivalenceCase.steps
        let net = try ResNet(config: c.model, maxBatch: B, context: NetContext(threads: 2, shards: 2))
        let initial = dir.appendingPathComponent("init.safetensors")
        try net.load(stateDict: try Safetensors.read(initial), source: initial.path)
        let wd: [ParameterGroup: Float] = [.backbone: Float(EquivalenceCase.wdBackbone), .head: Float(EquivalenceCase.wdHead),
                                           .classifier: Float(EquivalenceCase.wdClassifier)]
        let step = TrainingStep(network: net, loss: LossFunction(kind: c.loss, mseScale: .mean),
                                optimizer: SGD(momentum: Float(EquivalenceCase.momentum), weightDecay: wd))
        let images = batches["images"]!.floats, labels = batches["labels"]!.integers!
        let perSample = c.channels * c.size * c.size, hw = c.size * c.size
        let input = FloatBuffer(count: perSample * B)
        /// NCHW (samples as rows) → the toolkit's channel-major C×B×H×W.
        func gather(_ source: ArraySlice<Float>) {
            let s0 = source.startIndex
            for b in 0..<B { for ch in 0..<c.channels { for p in 0..<hw {
                input[(ch * B + b) * hw + p] = source[s0 + (b * c.channels + ch) * hw + p]
            } } }
        }
        var losses: [Double] = []
        var y = [Int32](repeating: 0, count: B)
        for t in 0..<steps {
            gather(images[(t * B * perSample)..<((t + 1) * B * perSample)])
            for b in 0..<B { y[b] = Int32(labels[t * B + b]) }
            let l = y.withUnsafeBufferPointer { step.run(images: input.base, labels: $0.baseAddress!, batch: B, learningRate: Float(EquivalenceCase.lr)).loss }
            losses.append(l)
        }
        // Eval mode on a held-out batch: BN uses the running statistics.
        gather(batches["eval_images"]!.floats[...])
        net.forward(input.base, batch: B, training: false)
        var logits = [Double](repeating: 0, count: B * K)  // samples as rows, as PyTorch's
        for k in 0..<K { for b in 0..<B { logits[b * K + k] = Double(net.logits[k * B + b]) } }

        /// The largest gap of the toolkit's run to a PyTorch run `r`, over every compared quantity, relative
        /// to the float64 run, and where it is.
        let state = net.stateDict()
        #expect(state.count == t32.count - 2, "the same tensors (PyTorch's files add loss and eval_logits)")
        func gaps(_ mine: (losses: [Double], state: [String: [Double]], logits: [Double]), _ r: [String: NDArray]) throws -> [(String, Double)] {
            let l64 = t64["loss"]!.doubles, lr = r["loss"]!.doubles
            var out = [("loss", (0..<steps).map { abs(mine.losses[$0] - lr[$0]) / abs(l64[$0]) }.max()!)]
            for (name, _) in state where !name.hasSuffix("num_batches_tracked") {
                let ref = try #require(r[name], "PyTorch has no '\(name)'")
                out.append((name, relative(mine.state[name]!, ref.doubles, t64[name]!.doubles)))
            }
            out.append(("eval logits", relative(mine.logits, r["eval_logits"]!.doubles, t64["eval_logits"]!.doubles)))
            return out
        }
        for (name, a) in state where name.hasSuffix("num_batches_tracked") {
            #expect(a.integers == [steps] && t32[name]?.integers == [steps], "\(name)")
        }
        let mine = (losses: losses, state: Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.array.doubles) }), logits: logits)
        let torch32 = (losses: t32["loss"]!.doubles, state: t32.mapValues(\.doubles), logits: t32["eval_logits"]!.doubles)
        let to32 = try gaps(mine, t32), to64 = try gaps(mine, t64), own = try gaps(torch32, t64)
        let worst = { (g: [(String, Double)]) in g.max { $0.1 < $1.1 }! }
        // A float32 run (either side) can cross a ReLU kink or a max-pool near-tie that the other does not:
        // one discrete jump, after which it leaves the float64 run too. So the toolkit must agree with
        // PyTorch's float32 run, or, when that run itself left the float64 one, with the float64 run.
        let (reference, gap) = worst(to32).1 <= Self.bound ? ("torch float32", worst(to32)) : ("torch float64", worst(to64))
        #expect(gap.1 <= Self.bound, "\(c.name): '\(gap.0)' differs from \(reference) by \(gap.1) (relative to the float64 run; torch float32 vs float64: \(worst(own).1) at '\(worst(own).0)')")
        if reference == "torch float64" {
            #expect(worst(own).1 > Self.bound, "\(c.name): PyTorch's float32 run agrees with float64, so the toolkit must agree with it")
        }

        // PyTorch loads the toolkit's exported weights and computes the same logits.
        let exported = dir.appendingPathComponent("weights.safetensors"), out = dir.appendingPathComponent("logits.safetensors")
        try Safetensors.write(net.stateDict(), to: exported)
        let e = try TorchSide.python([script, "eval", "--config", config.path, "--weights", exported.path,
                                      "--batches", dir.appendingPathComponent("batches.safetensors").path, "--out", out.path])
        try #require(e.status == 0, "PyTorch could not load the exported weights: \(e.stderr)")
        let reloaded = try tensors("logits.safetensors")["logits"]!.doubles
        let exportGap = relative(reloaded, logits, logits)
        #expect(exportGap <= 1e-5, "\(c.name): PyTorch's logits from the exported weights differ by \(exportGap)")
        let f = { (x: Double) in String(format: "%.2e", x) }
        print("torch equivalence \(c.name): vs torch float32: loss \(f(to32[0].1)), worst \(f(worst(to32).1)) at \(worst(to32).0); "
              + "vs float64: worst \(f(worst(to64).1)); torch float32 vs float64: worst \(f(worst(own).1)) at \(worst(own).0); "
              + "exported weights in PyTorch: \(f(exportGap))")
    }
}
