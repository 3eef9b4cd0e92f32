import Foundation
import Linalg
import Nets

/// `collapse bench nets`: training throughput of ResNet18 (MNIST-shaped batches) next to PyTorch on CPU
/// (bench/resnet_torch.py) in the same run, with a per-category profile of the toolkit's step.
public struct NetsBenchmark {
    public var reference: ReferenceSide
    /// Stem widths w (the network has w, 2w, 4w, 8w channels).
    public var widths: [Int] = [16, 64]
    public var batch: Int = 128
    /// The toolkit's workers; PyTorch's intra-op threads.
    public var threads: Int = 2
    /// Shards of the batch per convolution (results depend on this, not on threads).
    public var shards: Int = 2
    /// Floats per im2col chunk and shard.
    public var columnBudget: Int = 1 << 18
    /// Seconds of measured steps per width and side.
    public var seconds: Double = 20
    /// Profiled steps per width after the timed ones (0: no profile).
    public var profileSteps: Int = 3
    /// automatic, im2col or winograd.
    public var algorithm: String = "automatic"
    /// With automatic: Winograd from this many input channels on.
    public var winogradMinChannels: Int = 16

    public init(reference: ReferenceSide) { self.reference = reference }

    /// One width's figures.
    struct Measurement {
        var imagesPerSecond: Double
        var imagesPerCPUSecond: Double
        var parameters: Int
        var profile: [(ProfileCategory, Double)]
        var profiledWall: Double
    }

    /// Measures both sides and prints the table and the profiles (both sides' BLAS first).
    public func run() throws {
        guard let algo = ConvolutionAlgorithm(rawValue: algorithm) else {
            throw BenchmarkError("--algorithm must be one of \(ConvolutionAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        print(BLASBanner.toolkit() + " (each shard calls it single-threaded)")
        var torch: [Int: (Double, Double)] = [:]
        var torchVersion = "not run"
        if reference.enabled {
            let r = try PythonReference.run(
                reference, script: "resnet_torch.py",
                arguments: ["--widths"] + widths.map(String.init) + ["--batch", "\(batch)", "--threads", "\(threads)",
                                                                     "--seconds", "\(seconds)"],
                environment: ["OMP_NUM_THREADS": "\(threads)"])
            torchVersion = (r["torch"] as? String) ?? "?"
            print(BLASBanner.reference(r, side: "PyTorch"))
            for case let row as [String: Any] in (r["results"] as? [Any]) ?? [] {
                if let w = row["width"] as? Int, let ips = row["images_per_second"] as? Double,
                   let ipc = row["images_per_cpu_second"] as? Double { torch[w] = (ips, ipc) }
            }
        }
        print("ResNet18 training step, batch \(batch), 1×28×28, K = 10, MSE, SGD; \(threads) thread(s), \(shards) shard(s); "
              + "convolutions: \(algorithm) (Winograd from \(winogradMinChannels) input channels)")
        print("reference: PyTorch \(torchVersion) on CPU; ratio = toolkit / PyTorch (higher is better)")
        print("width   params   toolkit img/s  PyTorch img/s  ratio   toolkit img/CPU-s  PyTorch img/CPU-s  ratio")
        var results: [(Int, Measurement)] = []
        for w in widths {
            let m = try measure(width: w, algorithm: algo)
            let theirs = torch[w]
            func f(_ x: Double?) -> String { x.map { String(format: "%.1f", $0) } ?? "-" }
            print(String(format: "%5d  %7.2fM", w, Double(m.parameters) / 1e6)
                  + f(m.imagesPerSecond).leftPadded(15) + f(theirs?.0).leftPadded(15)
                  + (theirs.map { ratioText(m.imagesPerSecond, $0.0) } ?? "-").leftPadded(7)
                  + f(m.imagesPerCPUSecond).leftPadded(19) + f(theirs?.1).leftPadded(19)
                  + (theirs.map { ratioText(m.imagesPerCPUSecond, $0.1) } ?? "-").leftPadded(7))
            results.append((w, m))
        }
        for (w, m) in results where !m.profile.isEmpty {
            let total = m.profile.reduce(0) { $0 + $1.1 }
            print("\nprofile, width \(w): \(String(format: "%.1f", m.profiledWall * 1000)) ms wall per step; "
                  + "thread-time per category (all shards), ms per step:")
            for (c, s) in m.profile.sorted(by: { $0.1 > $1.1 }) where s > 0 {
                print("  " + c.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                      + String(format: "%9.2f  %5.1f%%", s * 1000 / Double(profileSteps), 100 * s / total))
            }
        }
    }

    private func measure(width: Int, algorithm algo: ConvolutionAlgorithm) throws -> Measurement {
        BLASThreads.count = 1  // every shard calls single-threaded OpenBLAS
        let ctx = NetContext(threads: threads, shards: shards, columnBudget: columnBudget, algorithm: algo,
                             winogradMinChannels: winogradMinChannels)
        let net = try ResNet(config: ResNetConfig(width: width), maxBatch: batch, context: ctx)
        net.initialize(seed: 0)
        let step = TrainingStep(network: net, loss: LossFunction(kind: .mse),
                                optimizer: SGD(momentum: 0.9, weightDecay: [.backbone: 5e-4, .head: 5e-4, .classifier: 5e-4]))
        var rng = Xoshiro256StarStar(seed: 1)
        let images = (0..<(batch * 28 * 28)).map { _ in Float(rng.nextNormal()) }
        let labels = (0..<batch).map { _ in Int32(rng.next(upperBound: UInt64(10))) }
        return images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                let run = { _ = step.run(images: x.baseAddress!, labels: y.baseAddress!, batch: batch, learningRate: 0.05) }
                run()  // warm-up: page faults, thread pool
                var steps = 0
                let c0 = processCPUSeconds(), t0 = monotonicSeconds()
                var dt = 0.0
                repeat { run(); steps += 1; dt = monotonicSeconds() - t0 } while dt < seconds || steps < 3
                let cpu = processCPUSeconds() - c0
                var m = Measurement(imagesPerSecond: Double(steps * batch) / dt, imagesPerCPUSecond: Double(steps * batch) / cpu,
                                    parameters: net.parameterCount, profile: [], profiledWall: 0)
                if profileSteps > 0 {
                    ctx.profile.reset()
                    ctx.profile.enabled = true
                    let p0 = monotonicSeconds()
                    for _ in 0..<profileSteps { run() }
                    m.profiledWall = (monotonicSeconds() - p0) / Double(profileSteps)
                    ctx.profile.enabled = false
                    m.profile = ctx.profile.totals
                }
                return m
            }
        }
    }
}
