/// Where each block of θ = (H_1, W_1, …, W_L, b) lives in one flat `Double` buffer.
///
/// The optimizers see θ as a single vector (so that an update is one axpy and L-BFGS's inner products
/// are single dot products); the model sees matrix views into it. Blocks are stored one after another,
/// each row-major, in the order H_1 (d_1×N), W_1 (d_2×d_1), …, W_L (K×d_L), then b (K) when the model
/// has a bias. The same names (`H1`, `W1` … `WL`, `b`) are the arrays of a params `.npz` file.
public struct ParameterLayout: Equatable, Sendable {
    /// One named matrix block of θ: entries `offset ..< offset + rows·cols`, row-major.
    public struct Block: Equatable, Sendable {
        /// `H1`, `W1` … `WL`, or `b`.
        public let name: String
        public let rows: Int
        public let cols: Int
        /// Index of entry (0, 0) in the flat buffer.
        public let offset: Int
        public var count: Int { rows * cols }
        /// The shape a params file stores: 2-D for matrices, 1-D (K) for the bias.
        public var fileShape: [Int] { name == "b" ? [rows] : [rows, cols] }
    }

    /// H_1, W_1 … W_L, and b if present, in storage order.
    public let blocks: [Block]
    /// The total number of parameters, dim θ.
    public let count: Int
    /// L.
    public let depth: Int

    public init(spec: ModelSpec) {
        var blocks: [Block] = []
        var offset = 0
        func add(_ name: String, _ rows: Int, _ cols: Int) {
            blocks.append(Block(name: name, rows: rows, cols: cols, offset: offset))
            offset += rows * cols
        }
        add("H1", spec.width(1), spec.samples)
        for l in 1...spec.depth { add("W\(l)", spec.width(l + 1), spec.width(l)) }
        if spec.bias { add("b", spec.classes, 1) }
        self.blocks = blocks
        self.count = offset
        self.depth = spec.depth
    }

    /// The free features H_1 (d_1×N).
    public var h1: Block { blocks[0] }
    /// W_l (d_{l+1}×d_l), l = 1 … L.
    public func w(_ l: Int) -> Block {
        precondition(l >= 1 && l <= depth, "layer \(l) outside 1…\(depth)")
        return blocks[l]
    }
    /// The output bias b (K×1), if the model has one.
    public var bias: Block? { blocks.count > depth + 1 ? blocks[depth + 1] : nil }
    /// The block named `name`, if any.
    public func block(named name: String) -> Block? { blocks.first { $0.name == name } }
}
