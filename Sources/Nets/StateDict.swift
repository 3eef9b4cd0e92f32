import Formats

/// The network's weights as the `state_dict` of the same model in PyTorch, and back.
///
/// Names and order are those of PyTorch's module tree (`torch.nn.Module.state_dict()`): per module, its
/// parameters, then its buffers — `conv1.weight`, `bn1.weight`, `bn1.bias`, `bn1.running_mean`,
/// `bn1.running_var`, `bn1.num_batches_tracked`, `layer1.0.conv1.weight`, …, `layer2.0.shortcut.0.weight`,
/// `layer2.0.shortcut.1.*`, `head.0.weight` [`head.0.bias`], …, `fc.weight` [`fc.bias`]. Shapes are
/// PyTorch's (a convolution [C_out, C_in, k, k], a linear layer [d_out, d_in]) and so is the memory
/// order (row-major), so tensors are copied as they are. float32, except `num_batches_tracked` (int64,
/// shape []). The reference model is `bench/nc_resnet_torch.py`.
extension ResNet {
    /// The modules in forward order: (name prefix, parameters, BN or nil).
    private var stateModules: [(parameters: [Parameter], batchNorm: BatchNorm?)] {
        var m: [(parameters: [Parameter], batchNorm: BatchNorm?)] = [([stem.weight], nil), (stemBN.parameters, stemBN)]
        for block in blocks.flatMap({ $0 }) {
            m += [([block.conv1.weight], nil), (block.bn1.parameters, block.bn1), ([block.conv2.weight], nil), (block.bn2.parameters, block.bn2)]
            if let sc = block.shortcutConv, let sbn = block.shortcutBN { m += [([sc.weight], nil), (sbn.parameters, sbn)] }
        }
        for (lin, _) in head { m.append((lin.parameters, nil)) }
        m.append((classifier.parameters, nil))
        return m
    }

    /// Every tensor of the PyTorch state_dict, in its order.
    public func stateDict() -> [(name: String, array: NDArray)] {
        var out: [(name: String, array: NDArray)] = []
        for (params, bn) in stateModules {
            for p in params { out.append((p.name, NDArray(shape: p.shape, data: .float32(p.value.array)))) }
            if let bn {
                let c = bn.shape.channels
                out.append(("\(bn.name).running_mean", NDArray(shape: [c], data: .float32(bn.runningMean.array))))
                out.append(("\(bn.name).running_var", NDArray(shape: [c], data: .float32(bn.runningVariance.array))))
                out.append(("\(bn.name).num_batches_tracked", NDArray(shape: [], data: .int64([bn.batchesTracked]))))
            }
        }
        return out
    }

    /// The names and shapes `load(stateDict:)` expects, in state_dict order.
    public var stateDictShapes: [(name: String, shape: [Int])] { stateDict().map { ($0.name, $0.array.shape) } }

    /// Sets every weight and BN buffer from a PyTorch state_dict (e.g. read from a file written by
    /// `safetensors.torch.save_file(model.state_dict(), path)`), after checking all of it: every name the
    /// network needs is present, none is extra, every shape matches, floats are float32 and finite,
    /// `num_batches_tracked` is a non-negative integer. Nothing is changed unless everything checks.
    /// `source` names the file in errors. SGD momentum is not part of a state_dict and is left as it is.
    public func load(stateDict arrays: [(name: String, array: NDArray)], source: String) throws(NetsError) {
        func bad(_ reason: String) -> NetsError { .badCheckpoint(path: source, reason: reason) }
        var byName: [String: NDArray] = [:]
        for (n, a) in arrays {
            guard byName.updateValue(a, forKey: n) == nil else { throw bad("tensor '\(n)' appears twice") }
        }
        let expected = stateDictShapes
        let known = Set(expected.map(\.name))
        if let extra = arrays.map(\.name).first(where: { !known.contains($0) }) {
            throw bad("tensor '\(extra)' is not part of this network (stem \(config.stem.rawValue), width \(config.width), blocks \(config.blocks), head \(config.headWidths), head_bias \(config.headBias), classifier_bias \(config.classifierBias)); it expects \(expected.count) tensors: \(expected.prefix(4).map(\.name).joined(separator: ", ")), …")
        }
        var floats: [String: [Float]] = [:], counts: [String: Int64] = [:]
        for (name, shape) in expected {
            guard let a = byName[name] else { throw bad("tensor '\(name)' (shape \(shape)) is missing") }
            guard a.shape == shape else { throw bad("tensor '\(name)' has shape \(a.shape) in the file, the network needs \(shape)") }
            if name.hasSuffix(".num_batches_tracked") {
                guard let v = a.integers?.first, a.count == 1, v >= 0 else { throw bad("tensor '\(name)' must be one non-negative integer (int64), got \(a.dtype)") }
                counts[name] = Int64(v)
            } else {
                guard case .float32(let v) = a.data else { throw bad("tensor '\(name)' is \(a.dtype), the network needs float32 (save the model after .float())") }
                guard v.allSatisfy(\.isFinite) else { throw bad("tensor '\(name)' holds NaN or Inf") }
                floats[name] = v
            }
        }
        for (params, bn) in stateModules {
            for p in params { p.value.assign(floats[p.name]!) }
            if let bn {
                bn.runningMean.assign(floats["\(bn.name).running_mean"]!)
                bn.runningVariance.assign(floats["\(bn.name).running_var"]!)
                bn.batchesTracked = counts["\(bn.name).num_batches_tracked"]!
            }
        }
    }
}
