import Formats
import Foundation
import Linalg

/// Which minimizer a run uses.
public enum OptimizerMethod: String, Sendable, CaseIterable {
    /// Plain full-batch gradient descent, all blocks at once (`GradientDescent`).
    case gd
    /// Heavy-ball or Nesterov momentum (`Momentum`).
    case momentum
    /// L-BFGS with a strong-Wolfe line search (`LBFGS`).
    case lbfgs
}

/// `[optimizer]`.
public struct OptimizerSettings: Equatable, Sendable {
    public var method: OptimizerMethod = .gd
    /// η (gd, momentum; L-BFGS chooses its own steps).
    public var learningRate: Double = 0.1
    /// Number of iterations.
    public var steps: Int = 10_000
    /// Stop when ‖∇f‖₂ falls below it (0 = never).
    public var tolerance: Double = 0
    /// μ for `momentum`.
    public var momentum: Double = 0.9
    /// Nesterov instead of heavy ball, for `momentum`.
    public var nesterov: Bool = false
    /// m, the number of L-BFGS pairs.
    public var history: Int = 10
    /// Most objective evaluations per L-BFGS line search.
    public var maxLineSearch: Int = 30
    /// Strong-Wolfe constants of the L-BFGS line search.
    public var wolfeC1: Double = 1e-4
    public var wolfeC2: Double = 0.9

    public init() {}

    /// A fresh minimizer for a parameter vector of length `dimension`.
    public func makeMinimizer(dimension: Int) -> Minimizer {
        switch method {
        case .gd: GradientDescent(learningRate: learningRate)
        case .momentum: Momentum(dimension: dimension, learningRate: learningRate, momentum: momentum, nesterov: nesterov)
        case .lbfgs: LBFGS(dimension: dimension, history: history, c1: wolfeC1, c2: wolfeC2, maxLineSearchEvaluations: maxLineSearch)
        }
    }
}

/// `[init]`.
public struct InitSettings: Equatable, Sendable {
    /// Seed of `Xoshiro256StarStar` for the random initialization.
    public var seed: UInt64 = 0
    /// Entries are i.i.d. N(0, scale²) unless `file` is given.
    public var scale: Double = 0.1
    /// A params `.npz` to start from (`--init`); empty for a random start.
    public var file: String = ""
    public init() {}
}

/// `[log]`.
public struct LogSettings: Equatable, Sendable {
    /// Metrics every this many steps, and at the last step.
    public var every: Int = 100
    /// Write checkpoint.npz every this many steps (0 = never; `--checkpoint-every`).
    public var checkpointEvery: Int = 0
    public init() {}
}

/// `[run]`.
public struct RunSettings: Equatable, Sendable {
    /// BLAS threads; 0 = automatic (one thread when max_l d_l·N < 100 000, where thread start-up costs more
    /// than the products, otherwise OpenBLAS's default: OPENBLAS_NUM_THREADS or every core).
    public var threads: Int = 0
    public init() {}

    /// The thread count to use for `spec` (nil = leave OpenBLAS's setting alone); a count above the
    /// machine's cores is capped at the core count (`BLASThreads.capped`, noted in `UFMConfig.warnings`).
    public func resolvedThreads(for spec: ModelSpec) -> Int? {
        if threads > 0 { return BLASThreads.capped(threads).threads }
        let largest = (1...spec.depth).map { spec.width($0) }.max()! * spec.samples
        return largest < 100_000 ? 1 : nil
    }
}

/// A UFM run's configuration: the model (with its regularization), the optimizer, the initialization,
/// logging and threads. Parsed from TOML by `parse(_:overrides:source:)`, rendered back by `toml`.
public struct UFMConfig: Equatable, Sendable {
    public var model: ModelSpec
    public var optimizer: OptimizerSettings
    public var initialization: InitSettings
    public var log: LogSettings
    public var run: RunSettings

    public init(model: ModelSpec, optimizer: OptimizerSettings = .init(), initialization: InitSettings = .init(),
                log: LogSettings = .init(), run: RunSettings = .init()) {
        self.model = model
        self.optimizer = optimizer
        self.initialization = initialization
        self.log = log
        self.run = run
    }

    /// Reads and parses a config file, then applies `--set` overrides.
    public static func load(_ url: URL, overrides: [String] = []) throws -> UFMConfig {
        try parse(tree: ConfigError.wrapping { () throws(TOMLError) in try TOMLValue.readDocument(url) }, overrides: overrides)
    }
}
