import Formats
import Linalg

extension UFMConfig {
    /// The fully resolved config as TOML: every key of `schema`, defaults filled in, in schema order.
    /// `UFMConfig.parse(config.toml) == config` (tested), so a run directory's `config.toml` reproduces the run.
    public var toml: String {
        let s = model, o = optimizer
        var t = "# Resolved configuration (collapse \(Linalg.version)): every key, defaults filled in.\n"
        t += "# Model and formulas: docs/models.md.\n\n"
        t += "[model]\n"
        t += "classes = \(s.classes)\n"
        t += "per_class = \(s.isBalanced ? "\(s.perClass)" : TOMLLiteral.ints(s.counts))\n"
        t += "widths = \(TOMLLiteral.ints(s.widths))\n"
        t += "activation = \(TOMLLiteral.string(s.activation.rawValue))\n"
        t += "loss = \(TOMLLiteral.string(s.loss.rawValue))\n"
        t += "bias = \(s.bias)\n\n"
        t += "[regularization]\n"
        t += "lambda_h = \(TOMLLiteral.double(s.lambdaH))\n"
        t += "lambda_w = \(TOMLLiteral.doubles(s.lambdaW))\n\n"
        t += "[optimizer]\n"
        t += "method = \(TOMLLiteral.string(o.method.rawValue))\n"
        t += "learning_rate = \(TOMLLiteral.double(o.learningRate))\n"
        t += "steps = \(o.steps)\n"
        t += "tolerance = \(TOMLLiteral.double(o.tolerance))\n"
        t += "momentum = \(TOMLLiteral.double(o.momentum))\n"
        t += "nesterov = \(o.nesterov)\n"
        t += "history = \(o.history)\n"
        t += "max_line_search = \(o.maxLineSearch)\n"
        t += "wolfe_c1 = \(TOMLLiteral.double(o.wolfeC1))\n"
        t += "wolfe_c2 = \(TOMLLiteral.double(o.wolfeC2))\n\n"
        t += "[init]\n"
        t += "seed = \(initialization.seed)\n"
        t += "scale = \(TOMLLiteral.double(initialization.scale))\n"
        t += "file = \(TOMLLiteral.string(initialization.file))\n\n"
        t += "[log]\n"
        t += "every = \(log.every)\n"
        t += "checkpoint_every = \(log.checkpointEvery)\n\n"
        t += "[run]\n"
        t += "threads = \(run.threads)\n"
        return t
    }
}
