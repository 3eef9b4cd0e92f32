import Foundation
import Formats
import Linalg

/// Training-mode statistics of one epoch.
public struct EpochStatistics: Sendable, Equatable {
    /// 1-based epoch number.
    public var epoch: Int
    public var learningRate: Double
    /// Mean loss over the epoch's batches, weighted by batch size (train mode, before each update).
    public var loss: Double
    /// Fraction of training samples classified correctly during the epoch (train mode).
    public var accuracy: Double
    public var seconds: Double
}

/// A network, its data and optimizer state: trains epoch by epoch, reproducibly from `config.run.seed`.
///
/// Reproducibility: initialization draws from `Xoshiro256StarStar(seed: run.seed)`; each epoch's order is a
/// permutation from a second generator seeded with `run.seed + 1` (its state is checkpointed). Given the
/// config (and the same OpenBLAS build and CPU kernel), training is bit-identical whatever `run.threads`
/// is: the batch is split into `run.shards` shards that each call single-threaded OpenBLAS, and partial
/// sums are combined in a fixed order (see `Workers`). Changing `run.shards` changes the rounding.
public final class Trainer: @unchecked Sendable {
    public let config: TrainConfig
    public let data: TrainingData
    public let network: ResNet
    public let step: TrainingStep
    /// Completed epochs.
    public private(set) var epoch = 0
    private var shuffle: Xoshiro256StarStar
    private let images: FloatBuffer
    private var labels: [Int32]

    public init(config: TrainConfig, data: TrainingData) throws {
        try config.validate()
        let train = data.train
        guard train.count >= 2 else { throw NetsError.invalidData(reason: "\(train.name) has \(train.count) training samples; need at least 2") }
        guard train.samplesPerClass.allSatisfy({ $0 > 0 }) else {
            throw NetsError.invalidData(reason: "\(train.name): class \(train.samplesPerClass.firstIndex(of: 0)!) has no training sample")
        }
        var model = config.model
        model.inputChannels = train.channels
        model.imageHeight = train.height
        model.imageWidth = train.width
        model.classes = train.classCount
        let maxBatch = min(config.optimizer.batchSize, max(train.count, data.test?.count ?? 0))
        do { try model.memoryEstimate(maxBatch: maxBatch).check("this network") } catch { throw NetsError.memory(error) }
        let ctx = NetContext(threads: BLASThreads.capped(config.run.threads).threads, shards: min(config.run.shards, maxBatch))
        network = try ResNet(config: model, maxBatch: maxBatch, context: ctx)
        network.initialize(seed: config.run.seed)
        let wd = config.optimizer.weightDecay.mapValues { Float($0) }
        step = TrainingStep(network: network, loss: config.loss, optimizer: SGD(momentum: Float(config.optimizer.momentum), weightDecay: wd))
        self.config = config
        self.data = data
        shuffle = Xoshiro256StarStar(seed: config.run.seed &+ 1)
        images = FloatBuffer(count: train.featureCount * maxBatch)
        labels = [Int32](repeating: 0, count: maxBatch)
    }

    /// The learning rate of the next epoch.
    public var learningRate: Double {
        SGD.learningRate(base: config.optimizer.learningRate, gamma: config.optimizer.gamma,
                         stepEpochs: config.optimizer.stepEpochs, epoch: epoch)
    }

    /// The batches of one epoch: a fresh permutation cut into batches of `batch_size`; a last batch of a
    /// single sample is dropped (batch normalization needs two samples; PyTorch would fail on it).
    func nextEpochBatches() -> [ArraySlice<Int>] {
        let order = shuffle.permutation(data.train.count)
        var out: [ArraySlice<Int>] = []
        var i = 0
        while i < order.count {
            let j = min(i + network.maxBatch, order.count)
            if j - i >= 2 { out.append(order[i..<j]) }
            i = j
        }
        return out
    }

    /// Trains one epoch. `progress(batch, batches)` is called after each step.
    /// Throws `NetsError.diverged` on a non-finite loss.
    @discardableResult
    public func trainEpoch(progress: ((Int, Int) -> Void)? = nil) throws -> EpochStatistics {
        BLASThreads.count = 1
        let lr = learningRate
        let t0 = Profile.now()
        let batches = nextEpochBatches()
        var lossSum = 0.0, correct = 0, seen = 0
        for (bi, batch) in batches.enumerated() {
            let r = labels.withUnsafeMutableBufferPointer { l -> (loss: Double, correct: Int) in
                network.context.profile.time(.input) { data.train.gather(batch, into: images.base, labels: l.baseAddress!) }
                return step.run(images: images.base, labels: l.baseAddress!, batch: batch.count, learningRate: Float(lr))
            }
            guard r.loss.isFinite else { throw NetsError.diverged(epoch: epoch + 1, step: bi + 1, loss: r.loss) }
            lossSum += r.loss * Double(batch.count)
            correct += r.correct
            seen += batch.count
            progress?(bi + 1, batches.count)
        }
        epoch += 1
        return EpochStatistics(epoch: epoch, learningRate: lr, loss: lossSum / Double(seen),
                               accuracy: Double(correct) / Double(seen), seconds: Profile.now() - t0)
    }

    // MARK: checkpoints

    /// Everything needed to continue bit-identically, as named arrays (PyTorch state_dict names for the
    /// weights and BN statistics; `momentum.<name>` for SGD buffers; `rng_state`, `epoch`).
    public func checkpointArrays() -> [(name: String, array: NDArray)] {
        var out = parameterArrays()
        for p in network.parameters {
            out.append(("momentum.\(p.name)", NDArray(shape: p.shape, data: .float32(p.velocity.array))))
        }
        out.append(("rng_state", NDArray(shape: [4], data: .int64(shuffle.stateWords.map { Int64(bitPattern: $0) }))))
        out.append(("epoch", NDArray(shape: [1], data: .int64([Int64(epoch)]))))
        return out
    }

    /// The weights and BN buffers (running statistics, `num_batches_tracked`) as the equivalent PyTorch
    /// model's state_dict (`ResNet.stateDict()`).
    public func parameterArrays() -> [(name: String, array: NDArray)] { network.stateDict() }

    /// Training steps per epoch: ⌈N/B⌉, less a last batch of one sample (`nextEpochBatches`).
    var batchesPerEpoch: Int {
        let n = data.train.count, b = network.maxBatch
        return n / b + (n % b >= 2 ? 1 : 0)
    }

    /// Restores a checkpoint written by `checkpointArrays` for the same config.
    public func restore(_ arrays: [(name: String, array: NDArray)], path: String) throws {
        var byName: [String: NDArray] = [:]
        for (n, a) in arrays { byName[n] = a }
        func fetch(_ name: String, shape: [Int]) throws -> NDArray {
            guard let a = byName[name] else { throw NetsError.badCheckpoint(path: path, reason: "no array '\(name)'") }
            guard a.shape == shape else { throw NetsError.badCheckpoint(path: path, reason: "'\(name)' has shape \(a.shape), the network needs \(shape)") }
            return a
        }
        func floats(_ name: String, shape: [Int]) throws -> [Float] {
            let a = try fetch(name, shape: shape)
            guard case .float32(let v) = a.data else { throw NetsError.badCheckpoint(path: path, reason: "'\(name)' is \(a.dtype), expected float32") }
            guard v.allSatisfy(\.isFinite) else { throw NetsError.badCheckpoint(path: path, reason: "'\(name)' holds NaN or Inf") }
            return v
        }
        for p in network.parameters {
            p.value.assign(try floats(p.name, shape: p.shape))
            p.velocity.assign(try floats("momentum.\(p.name)", shape: p.shape))
        }
        for bn in network.batchNorms {
            bn.runningMean.assign(try floats("\(bn.name).running_mean", shape: [bn.shape.channels]))
            bn.runningVariance.assign(try floats("\(bn.name).running_var", shape: [bn.shape.channels]))
        }
        let e0 = try fetch("epoch", shape: [1]).integers?.first ?? 0
        for bn in network.batchNorms {
            // Checkpoints written before num_batches_tracked was kept lack it: every step of a run started
            // from scratch passes each BN once in training mode, so it is epoch × batches per epoch.
            if let a = byName["\(bn.name).num_batches_tracked"] {
                guard a.shape == [], let v = a.integers?.first, v >= 0 else {
                    throw NetsError.badCheckpoint(path: path, reason: "'\(bn.name).num_batches_tracked' must be one non-negative integer")
                }
                bn.batchesTracked = Int64(v)
            } else {
                bn.batchesTracked = Int64(max(0, e0) * batchesPerEpoch)
            }
        }
        guard let words = try fetch("rng_state", shape: [4]).integers, words.contains(where: { $0 != 0 }) else {
            throw NetsError.badCheckpoint(path: path, reason: "'rng_state' must be 4 integers, not all zero")
        }
        guard let e = try fetch("epoch", shape: [1]).integers?.first, e >= 0 else {
            throw NetsError.badCheckpoint(path: path, reason: "'epoch' must be one non-negative integer")
        }
        guard e <= config.optimizer.epochs else {
            throw NetsError.badCheckpoint(path: path, reason: "it is at epoch \(e), beyond optimizer.epochs = \(config.optimizer.epochs); "
                + "a finished run cannot be shortened (resume with --set optimizer.epochs=\(e) or more, or start a new run)")
        }
        shuffle = Xoshiro256StarStar(state: words.map { UInt64(bitPattern: Int64($0)) })
        epoch = e
    }
}
