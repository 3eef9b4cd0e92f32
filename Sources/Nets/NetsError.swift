import Linalg

/// Everything a user can get wrong when configuring or feeding a network, with the field or file named.
public enum NetsError: Error, Equatable, CustomStringConvertible {
    /// A configuration value is missing, has the wrong type, or is out of range.
    case invalidConfig(field: String, reason: String)
    /// The data do not fit the network or the experiment (shape, labels, class balance).
    case invalidData(reason: String)
    /// A checkpoint does not match the network or is incomplete.
    case badCheckpoint(path: String, reason: String)
    /// Training produced a non-finite loss (divergence: lower the learning rate).
    case diverged(epoch: Int, step: Int, loss: Double)
    /// The network or its data would not fit in memory (`MemoryBudget`): names the dimension.
    case memory(MemoryBudgetError)

    public var description: String {
        switch self {
        case .invalidConfig(let f, let r): "configuration: \(f): \(r)"
        case .invalidData(let r): "data: \(r)"
        case .badCheckpoint(let p, let r): "checkpoint \(p): \(r)"
        case .memory(let e): "\(e)"
        case .diverged(let e, let s, let l):
            "training diverged at epoch \(e), step \(s): loss = \(l); lower the learning rate (or use mse_scale = \"mean\")"
        }
    }
}
