import Foundation
import Nets
import Report
import UFM

/// A config given to the wrong command (`collapse run` on a trained-network config, or the reverse),
/// said as such, with the command that reads it.
struct WrongCommand: Error, CustomStringConvertible {
    var description: String
}

/// Loads a config for `collapse run` or `collapse train` and turns "unknown section" errors that come from
/// the other command's sections into a pointer at that command.
enum ConfigKind {
    /// Sections only a trained-network config has, and only a UFM config has.
    static let trainOnly: Set<String> = ["data", "loss", "measure"]
    static let ufmOnly: Set<String> = ["regularization", "init", "log"]

    static func loadUFM(_ path: String, overrides: [String]) throws -> UFMConfig {
        do { return try UFMConfig.load(URL(fileURLWithPath: path), overrides: overrides) } catch ConfigError.unknownSection(let name, _) where trainOnly.contains(name) {
            throw WrongCommand(description: "\(path) has a [\(name)] section: it is a trained-network config; run it with `collapse train \(path)`")
        }
    }

    static func parseTrain(_ text: String, overrides: [String], source: String) throws -> TrainConfig {
        let result = Result { () throws(NetsError) -> TrainConfig in try TrainConfig.parse(text, overrides: overrides, source: source) }
        if case .failure(let e) = result, case .invalidConfig(let field, let reason) = e,
           ufmOnly.contains(field), reason.hasPrefix("unknown section") {
            throw WrongCommand(description: "\(source) has a [\(field)] section: it is an unconstrained-features (UFM) config; run it with `collapse run \(source)`")
        }
        return try result.get()
    }
}

/// `--example-config`: config templates from the binary, every section and key with its default.
enum ExampleConfig {
    /// A deep UFM template for `collapse run` (docs/models.md has every key).
    static let ufm = """
    # A config template for `collapse run` (from `collapse run --example-config`): a depth-2 ReLU UFM in the
    # setting of Tirer & Bruna, ICML 2022, Figure 4. Every key is listed with its default unless marked
    # "required"; the model and every key: docs/models.md.
    [model]
    classes = 4            # K (required)
    per_class = 50         # n, samples per class (required)
    widths = [20, 20]      # d_1 … d_L; the depth L is the length (required)
    activation = "relu"    # "relu" or "none" (also "linear"): σ between levels
    loss = "mse"           # "mse" or "ce"
    bias = false           # an unregularized output bias b

    [regularization]
    lambda_h = 0.005       # λ_H (required)
    lambda_w = 0.005       # λ_W for every layer, or an array of L numbers (required)

    [optimizer]
    method = "gd"          # "gd", "momentum" or "lbfgs"
    learning_rate = 0.1    # η (gd, momentum)
    steps = 10000
    tolerance = 0.0        # stop when ‖∇f‖₂ ≤ tolerance (0: never)
    momentum = 0.9
    nesterov = false
    history = 10           # L-BFGS pairs
    max_line_search = 30
    wolfe_c1 = 1e-4
    wolfe_c2 = 0.9

    [init]
    seed = 0
    scale = 0.1            # entries i.i.d. N(0, scale²)
    file = ""              # a params .npz to start from (--init)

    [log]
    every = 100            # metrics every k steps, and at the last step
    checkpoint_every = 0   # checkpoint.npz every N steps (--checkpoint-every)

    [run]
    threads = 0            # BLAS threads; 0: automatic

    """

    /// The trained-network template for `collapse train`: the resolved defaults (docs/networks.md).
    static func train() throws -> String {
        let defaults = try TrainConfig.parse("", source: "defaults")
        return "# A config template for `collapse train` (from `collapse train --example-config`): every key with its\n"
            + "# default (ResNet18 at width 16 on the 5,000 MNIST digits, MSE). Every key: docs/networks.md.\n"
            + defaults.toml
    }
}

extension String {
    /// nil for the empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
