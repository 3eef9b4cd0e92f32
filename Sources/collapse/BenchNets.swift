import ArgumentParser
import Benchmarks

/// `collapse bench nets`: training throughput of ResNet18 (MNIST-shaped batches) next to PyTorch on CPU in
/// the same run, with a per-category profile of the toolkit's step.
struct BenchNets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nets",
        abstract: "ResNet18 training images/s (forward + backward + SGD) at widths 16 and 64 vs PyTorch CPU.",
        discussion: """
        One step: forward in training mode, MSE loss (mean over B·K), backward, SGD (lr 0.05, momentum 0.9, weight decay 5e-4), on a random batch of 1×28×28 images, K = 10, bias-free classifier — the setting of Tirer & Bruna (ICML 2022) Fig. 5. The reference is bench/resnet_torch.py, the same network in PyTorch (torch.set_num_threads(threads)); it must be installed (pip install torch==2.13.0+cpu).

        Two figures per side: wall-clock images/s, and images per CPU-second of the whole process (the second is the fairer comparison on a machine shared with other work: it does not count time spent waiting for a core, but it does count threads spinning).
        """
    )

    @OptionGroup var options: BenchOptions
    @Option(parsing: .upToNextOption, help: "Stem widths w (the network has w, 2w, 4w, 8w channels).")
    var widths: [Int] = [16, 64]
    @Option(help: "Batch size.")
    var batch: Int = 128
    @Option(help: "Threads (the toolkit's workers; PyTorch's intra-op threads).")
    var threads: Int = 2
    @Option(help: "Shards of the batch per convolution (results depend on this, not on threads).")
    var shards: Int = 2
    @Option(help: "Floats per im2col chunk and shard.")
    var columnBudget: Int = 1 << 18
    @Option(help: "Seconds of measured steps per width and side.")
    var seconds: Double = 20
    @Option(help: "Profiled steps per width after the timed ones (0: no profile).")
    var profileSteps: Int = 3
    @Option(help: "Convolution algorithm: automatic, im2col or winograd.")
    var algorithm: String = "automatic"
    @Option(help: "With automatic: Winograd from this many input channels on.")
    var winogradMinChannels: Int = 16

    func run() throws {
        var b = NetsBenchmark(reference: options.reference)
        b.widths = widths
        b.batch = batch
        b.threads = threads
        b.shards = shards
        b.columnBudget = columnBudget
        b.seconds = seconds
        b.profileSteps = profileSteps
        b.algorithm = algorithm
        b.winogradMinChannels = winogradMinChannels
        try b.run()
    }
}
