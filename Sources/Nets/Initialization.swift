import Linalg

/// How `ResNet.initialize(seed:)` draws the parameters (`model.init`; formulas in docs/networks.md,
/// "Initialization"). Both draw from one Xoshiro256** stream in the order convolutions, head, classifier;
/// batch normalization is γ = 1, β = 0, running mean 0, running variance 1 in both (PyTorch's
/// `_NormBase.reset_parameters` and torchvision's `nn.init.constant_`).
public enum InitializationScheme: String, Sendable, Codable, CaseIterable, Hashable {
    /// torchvision's ResNet (`torchvision/models/resnet.py`, the init loop of `ResNet.__init__`):
    /// - convolutions: Kaiming normal, fan_out mode, W ~ N(0, 2/(C_out·k²)) (He et al., ICCV 2015;
    ///   `kaiming_normal_(mode="fan_out", nonlinearity="relu")`);
    /// - head layers (torchvision has none): Kaiming normal, fan_in mode, W ~ N(0, 2/d_in), bias 0, so a
    ///   deep ReLU head keeps the signal's scale;
    /// - classifier: left at `nn.Linear`'s default by torchvision, W, b ~ U(−1/√d_in, 1/√d_in).
    case torchvision
    /// PyTorch's module defaults, which kuangliu/pytorch-cifar and many CIFAR ResNet18s keep:
    /// - convolutions: `nn.Conv2d.reset_parameters`, `kaiming_uniform_(a=√5)`: bound = gain·√(3/fan_in)
    ///   with gain = √(2/(1 + a²)) = √(1/3), i.e. W ~ U(−1/√(C_in·k²), 1/√(C_in·k²));
    /// - head layers and classifier: `nn.Linear.reset_parameters`, W, b ~ U(−1/√d_in, 1/√d_in).
    case pytorch
}

extension ResNet {
    /// Draws every parameter from `Xoshiro256StarStar(seed:)` with `config.initialization`, resets the BN
    /// running statistics (and `num_batches_tracked`) and the SGD momentum.
    public func initialize(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        let scheme = config.initialization
        /// U(−bound, bound).
        func uniform(_ p: Parameter, bound: Double) {
            for i in 0..<p.count { p.value[i] = Float(bound * (2 * rng.nextUniform() - 1)) }
        }
        for conv in convolutions {
            switch scheme {
            case .torchvision:
                // Kaiming normal, fan_out: std = √(2/(C_out·k²)).
                let fanOut = conv.outputShape.channels * conv.kernel * conv.kernel
                let std = (2.0 / Double(fanOut)).squareRoot()
                for i in 0..<conv.weight.count { conv.weight.value[i] = Float(std * rng.nextNormal()) }
            case .pytorch:
                // kaiming_uniform_(a = √5): bound = √(1/3)·√(3/fan_in) = 1/√(C_in·k²).
                let fanIn = conv.inputShape.channels * conv.kernel * conv.kernel
                uniform(conv.weight, bound: 1 / Double(fanIn).squareRoot())
            }
        }
        for bn in batchNorms { bn.reset() }
        for (lin, _) in head {
            switch scheme {
            case .torchvision:
                // Kaiming normal, fan_in: std = √(2/d_in); bias 0.
                let std = (2.0 / Double(lin.inFeatures)).squareRoot()
                for i in 0..<lin.weight.count { lin.weight.value[i] = Float(std * rng.nextNormal()) }
                lin.bias?.value.zero()
            case .pytorch:
                let bound = 1 / Double(lin.inFeatures).squareRoot()
                uniform(lin.weight, bound: bound)
                if let b = lin.bias { uniform(b, bound: bound) }
            }
        }
        // nn.Linear's default in both schemes: W, b ~ U(±1/√d_in).
        let bound = 1 / Double(classifier.inFeatures).squareRoot()
        uniform(classifier.weight, bound: bound)
        if let b = classifier.bias { uniform(b, bound: bound) }
        for p in parameters { p.velocity.zero() }
    }
}
