import Foundation

/// The files of a run directory, the one layout that `collapse run` (UFM), `collapse train` (networks)
/// and `collapse plot` share:
///
/// | file | written by | holds |
/// |---|---|---|
/// | `config.toml` | both | the resolved config (every key, defaults filled in) |
/// | `metrics.csv` | both | one row per logged step or epoch (`MetricsTable`) |
/// | `summary.json` | both | final values, theory and gap (UFM), stop reason, timing |
/// | `params.npz` | both | final parameters (UFM: `H1`, `W1`…`WL`, `b`, a valid `--init`; networks: a PyTorch state_dict) |
/// | `checkpoint.npz` | both | everything `--resume` needs |
/// | `features.npz` | `train --export-features` | the final features per layer (N×d, samples as rows) and labels |
/// | `figures/*.svg`, `index.html` | `RunReport` | what a person looks at |
public struct RunDirectory: Sendable, Equatable {
    public let url: URL
    public init(_ url: URL) { self.url = url }
    public var config: URL { url.appendingPathComponent("config.toml") }
    public var metrics: URL { url.appendingPathComponent("metrics.csv") }
    public var summary: URL { url.appendingPathComponent("summary.json") }
    public var params: URL { url.appendingPathComponent("params.npz") }
    public var checkpoint: URL { url.appendingPathComponent("checkpoint.npz") }
    public var features: URL { url.appendingPathComponent("features.npz") }
    public var figures: URL { url.appendingPathComponent("figures") }
    public var index: URL { url.appendingPathComponent("index.html") }
}
