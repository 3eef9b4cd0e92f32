import Formats
import Linalg

/// A point θ = (H_1, W_1, …, W_L, b) of a deep UFM, stored flat as `ParameterLayout` describes.
///
/// `values` is what the optimizers update (axpy-able); `h1`, `w(_:)` and `b` return copies of the blocks
/// as matrices. `arrays()` / `init(spec:arrays:)` convert to and from the params `.npz` convention:
/// float64 arrays `H1` (d_1×N, the papers' orientation: samples are COLUMNS), `W1` … `WL`
/// (W_l is d_{l+1}×d_l) and `b` (K) when the model has a bias. With unbalanced counts the file also holds
/// `class_counts` (int64, K: n_1 … n_K), so that a file read back with other counts of the same total is refused.
public struct UFMParameters: Equatable, Sendable {
    public let spec: ModelSpec
    public let layout: ParameterLayout
    /// θ, flat.
    public var values: [Double]

    public init(spec: ModelSpec, values: [Double]) {
        let layout = ParameterLayout(spec: spec)
        precondition(values.count == layout.count, "θ has \(values.count) entries, the model needs \(layout.count)")
        self.spec = spec
        self.layout = layout
        self.values = values
    }

    /// Every entry i.i.d. N(0, scale²), drawn in storage order (H_1 row by row, then W_1 … W_L, then b)
    /// from `Xoshiro256StarStar(seed:)`, so a run is a pure function of (spec, seed, scale).
    public static func random(spec: ModelSpec, seed: UInt64, scale: Double) -> UFMParameters {
        var rng = Xoshiro256StarStar(seed: seed)
        let count = ParameterLayout(spec: spec).count
        var v = [Double](repeating: 0, count: count)
        for i in 0..<count { v[i] = scale * rng.nextNormal() }
        return UFMParameters(spec: spec, values: v)
    }

    /// The block as a new matrix.
    public func matrix(_ block: ParameterLayout.Block) -> Matrix<Double> {
        Matrix(rows: block.rows, cols: block.cols, storage: Array(values[block.offset..<(block.offset + block.count)]))
    }

    /// Overwrites a block with the entries of `m` (same shape).
    public mutating func setMatrix(_ block: ParameterLayout.Block, _ m: Matrix<Double>) {
        precondition(m.rows == block.rows && m.cols == block.cols, "\(block.name) is \(block.rows)×\(block.cols), got \(m.rows)×\(m.cols)")
        values.replaceSubrange(block.offset..<(block.offset + block.count), with: m.storage)
    }

    /// H_1 (d_1×N).
    public var h1: Matrix<Double> { matrix(layout.h1) }
    /// W_l (d_{l+1}×d_l), l = 1 … L.
    public func w(_ l: Int) -> Matrix<Double> { matrix(layout.w(l)) }
    /// b (K), or nil without a bias.
    public var b: [Double]? { layout.bias.map { Array(values[$0.offset..<($0.offset + $0.count)]) } }

    /// The named arrays of a params file, in storage order.
    public func arrays() -> [(String, NDArray)] {
        layout.blocks.map { blk in
            (blk.name, NDArray(shape: blk.fileShape, data: .float64(Array(values[blk.offset..<(blk.offset + blk.count)]))))
        } + (spec.isBalanced ? [] : [("class_counts", NDArray(labels: spec.counts))])
    }

    /// Reads θ from named arrays (a params `.npz`), validating every name and shape against `spec`.
    ///
    /// Floating-point arrays of either precision are accepted (float32 is widened exactly). Throws
    /// `UFMError` naming the array: missing, wrong shape (with the expected shape), not floating point,
    /// non-finite, or present although the model does not have it (`b` without a bias). Other arrays are
    /// ignored, so a checkpoint can be used as a params file.
    public init(spec: ModelSpec, arrays: [(String, NDArray)]) throws {
        let layout = ParameterLayout(spec: spec)
        var v = [Double](repeating: 0, count: layout.count)
        let names = arrays.map(\.0)
        for blk in layout.blocks {
            guard let a = arrays.first(where: { $0.0 == blk.name })?.1 else {
                throw UFMError.missingArray(name: blk.name, expectedShape: blk.fileShape, available: names)
            }
            // A bias saved as K×1 or 1×K is also accepted.
            let shapeOK = a.shape == blk.fileShape || (blk.name == "b" && a.count == blk.count && a.shape.count == 2 && a.shape.contains(1))
            if blk.name == "H1", !shapeOK, a.shape.count == 2, a.shape[0] == blk.rows {
                throw UFMError.classCounts(name: "H1", found: a.shape, expected: blk.fileShape, counts: spec.counts)
            }
            guard shapeOK else { throw UFMError.arrayShape(name: blk.name, found: a.shape, expected: blk.fileShape) }
            guard a.dtype.isFloatingPoint else {
                throw UFMError.arrayContent(name: blk.name, reason: "dtype \(a.dtype) is not floating point (save it as float64)")
            }
            let d = a.doubles
            if let bad = d.firstIndex(where: { !$0.isFinite }) {
                throw UFMError.arrayContent(name: blk.name, reason: "entry \(bad) (row-major) is \(d[bad]); parameters must be finite")
            }
            v.replaceSubrange(blk.offset..<(blk.offset + blk.count), with: d)
        }
        if let saved = arrays.first(where: { $0.0 == "class_counts" })?.1, saved.integers != spec.counts {
            throw UFMError.classCounts(name: "class_counts", found: saved.integers ?? [], expected: spec.counts, counts: spec.counts)
        }
        if !spec.bias, names.contains("b") {
            throw UFMError.unexpectedArray(name: "b", reason: "the config has model.bias = false; set it to true or remove 'b'")
        }
        let extraW = names.filter { $0.hasPrefix("W") && Int($0.dropFirst()).map { $0 > spec.depth } == true }
        if let w = extraW.first {
            throw UFMError.unexpectedArray(name: w, reason: "the config has depth L = \(spec.depth) (model.widths has \(spec.depth) entries)")
        }
        self.init(spec: spec, values: v)
    }
}
