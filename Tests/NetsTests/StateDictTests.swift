import Foundation
import Formats
import Linalg
import Testing
@testable import Nets

@Suite struct StateDictTests {
    func network(stem: StemKind = .imagenet, seed: UInt64, width: Int = 2) throws -> ResNet {
        let config = ResNetConfig(inputChannels: 1, imageHeight: 9, imageWidth: 9, width: width, blocks: [1, 1],
                                  headWidths: [3], headBias: false, classes: 3, classifierBias: true, stem: stem)
        let net = try ResNet(config: config, maxBatch: 4, context: NetContext())
        net.initialize(seed: seed)
        return net
    }

    /// The names and order of PyTorch's `NCResNet(...).state_dict()` (bench/nc_resnet_torch.py) for this
    /// network, written out by hand: per module its parameters, then its buffers.
    @Test func namesAndShapesAreThoseOfPyTorch() throws {
        let bn = { (m: String, c: Int) -> [(String, [Int])] in
            [("\(m).weight", [c]), ("\(m).bias", [c]), ("\(m).running_mean", [c]), ("\(m).running_var", [c]), ("\(m).num_batches_tracked", [])]
        }
        var expected: [(String, [Int])] = [("conv1.weight", [2, 1, 7, 7])] + bn("bn1", 2)
        expected += [("layer1.0.conv1.weight", [2, 2, 3, 3])] + bn("layer1.0.bn1", 2) + [("layer1.0.conv2.weight", [2, 2, 3, 3])] + bn("layer1.0.bn2", 2)
        expected += [("layer2.0.conv1.weight", [4, 2, 3, 3])] + bn("layer2.0.bn1", 4) + [("layer2.0.conv2.weight", [4, 4, 3, 3])] + bn("layer2.0.bn2", 4)
        expected += [("layer2.0.shortcut.0.weight", [4, 2, 1, 1])] + bn("layer2.0.shortcut.1", 4)
        expected += [("head.0.weight", [3, 4]), ("fc.weight", [3, 3]), ("fc.bias", [3])]
        let got = try network(seed: 1).stateDictShapes
        #expect(got.map(\.name) == expected.map(\.0))
        #expect(got.map(\.shape) == expected.map(\.1))
        let cifar = try network(stem: .cifar, seed: 1).stateDictShapes
        #expect(cifar.first?.shape == [2, 1, 3, 3] && cifar.count == expected.count)
    }

    /// Through a .safetensors image and back into a differently initialized network: every tensor equal,
    /// BN running statistics and num_batches_tracked included.
    @Test func roundTripsThroughSafetensors() throws {
        let a = try network(seed: 1), b = try network(seed: 2)
        var rng = Xoshiro256StarStar(seed: 9)
        let images = FloatBuffer(rng.floats(81 * 4))
        a.forward(images.base, batch: 4, training: true)
        a.forward(images.base, batch: 4, training: true)
        let original = a.stateDict()
        #expect(original.first { $0.name == "layer1.0.bn2.num_batches_tracked" }?.array == NDArray(shape: [], data: .int64([2])))
        let file = try Safetensors.decode(try Safetensors.encode(original), path: "memory")
        #expect(b.stateDict().map(\.array) != original.map(\.array))
        try b.load(stateDict: file, source: "memory")
        let back = b.stateDict()
        #expect(back.map(\.name) == original.map(\.name))
        #expect(back.map(\.array) == original.map(\.array))
        // Same weights and statistics → the same eval-mode logits.
        a.forward(images.base, batch: 4, training: false)
        let la = Array(UnsafeBufferPointer(start: a.logits, count: 12))
        b.forward(images.base, batch: 4, training: false)
        #expect(Array(UnsafeBufferPointer(start: b.logits, count: 12)) == la)
    }

    /// Errors name the tensor and both shapes; nothing is loaded from a file that fails a check.
    @Test func mismatchesNameTheTensor() throws {
        let target = try network(seed: 2)
        let before = target.stateDict()
        func message(_ arrays: [(name: String, array: NDArray)]) -> String {
            do { try target.load(stateDict: arrays, source: "w.safetensors"); return "" } catch { return error.description }
        }
        let wide = try network(seed: 1, width: 3).stateDict()
        let m1 = message(wide)
        #expect(m1.contains("'conv1.weight'") && m1.contains("[3, 1, 7, 7]") && m1.contains("[2, 1, 7, 7]") && m1.contains("w.safetensors"), "\(m1)")
        var good = try network(seed: 1).stateDict()
        let m2 = message(good.filter { $0.name != "layer2.0.bn1.running_var" })
        #expect(m2.contains("'layer2.0.bn1.running_var'") && m2.contains("missing"), "\(m2)")
        let m3 = message(good + [("fc2.weight", NDArray(shape: [1], data: .float32([0])))])
        #expect(m3.contains("'fc2.weight'") && m3.contains("not part of this network"), "\(m3)")
        let m4 = message(try network(stem: .cifar, seed: 1).stateDict())
        #expect(m4.contains("'conv1.weight'") && m4.contains("[2, 1, 3, 3]") && m4.contains("[2, 1, 7, 7]"), "\(m4)")
        let i = good.firstIndex { $0.name == "fc.bias" }!
        good[i].array = NDArray(shape: [3], data: .float64([0, 0, 0]))
        let m5 = message(good)
        #expect(m5.contains("'fc.bias'") && m5.contains("float32"), "\(m5)")
        good[i].array = NDArray(shape: [3], data: .float32([0, .nan, 0]))
        #expect(message(good).contains("NaN"))
        #expect(target.stateDict().map(\.array) == before.map(\.array), "a failed load changes nothing")
    }

    /// `NetRun.start(initialWeights:)` starts from the file (the epoch-0 row measures it) and
    /// `run(exportWeights:)` writes the final state_dict, equal to params.npz.
    @Test func runStartsFromAndExportsWeights() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nets-weights-\(getpid())")
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let data = try syntheticData()
        let config = try tinyConfig(epochs: 1)
        let donor = try Trainer(config: config, data: data)
        donor.network.initialize(seed: 99)
        let file = base.appendingPathComponent("init.safetensors")
        try Safetensors.write(donor.network.stateDict(), to: file)
        let run = try NetRun.start(config: config, directory: base.appendingPathComponent("run"), data: data, initialWeights: file)
        #expect(run.trainer.network.stateDict().map(\.array) == donor.network.stateDict().map(\.array))
        let summary = try run.run(exportWeights: true)
        #expect(summary["initial_weights"] == .string(file.path))
        let exported = try Safetensors.read(NetRun.weightsFile(in: run.directory))
        let params = try NPZ.read(run.directory.params)
        #expect(Dictionary(uniqueKeysWithValues: exported.map { ($0.name, $0.array) }) == Dictionary(uniqueKeysWithValues: params.map { ($0.name, $0.array) }))
        #expect(exported.first { $0.name == "bn1.num_batches_tracked" }?.array.integers == [3], "24 samples in batches of 10, 10, 4")
        let wrong = try tinyConfig(epochs: 1, head: [5])
        #expect(throws: NetsError.self) {
            try NetRun.start(config: wrong, directory: base.appendingPathComponent("bad"), data: data, initialWeights: file)
        }
    }
}
