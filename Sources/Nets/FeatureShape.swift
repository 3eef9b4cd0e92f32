/// The per-sample shape of an activation: channels × height × width.
///
/// Layout of a batch of B samples in memory (all of Nets): **channel-major, C×B×H×W** ("CNHW"):
/// element (c, b, y, x) is at `((c·B + b)·H + y)·W + x`. PyTorch's NCHW is the transpose of the first two
/// axes. The choice is deliberate: every channel of the whole batch is one contiguous run, so
/// - a convolution over any range of samples is ONE matrix product Y[C_out, n·H·W] = W·col with a leading
///   dimension (no per-sample products, which are tiny and slow in the last stages: 4×4 pixels);
/// - batch normalization reduces and normalizes each channel over one contiguous run;
/// - after global average pooling the batch is C×B, i.e. the papers' feature matrix H (d×N, samples as columns).
/// Inputs are converted from NCHW once per batch (`Batch`), and exported features are transposed back to
/// samples-as-rows for NumPy.
public struct FeatureShape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int = 1, width: Int = 1) {
        precondition(channels > 0 && height > 0 && width > 0, "empty feature shape \(channels)×\(height)×\(width)")
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// H·W.
    public var spatial: Int { height * width }
    /// C·H·W, the size of one sample.
    public var perSample: Int { channels * height * width }
    /// Floats needed for a batch of `batch` samples.
    public func count(batch: Int) -> Int { perSample * batch }

    public var description: String { "\(channels)×\(height)×\(width)" }
}
