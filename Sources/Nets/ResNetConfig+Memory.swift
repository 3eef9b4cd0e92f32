import Linalg

/// What a network of this config holds in memory (checked before any layer is allocated).
extension ResNetConfig {
    /// Floats (4 bytes): the backbone's 3×3 convolution weights Σ_s blocks_s·2·9·c_s² (c_s = w·2ˢ), the MLP
    /// head's d_{i−1}·d_i and the classifier's K·d, each with its gradient, momentum and checkpoint copy
    /// (×4); the stem and first stage's activations for a batch (maxBatch·w·H·W per layer, kept for the
    /// backward pass) and the head's (maxBatch·d_i, ×4 for activations, gradients and features).
    public func memoryEstimate(maxBatch: Int) -> MemoryEstimate {
        var e = MemoryEstimate()
        var conv = 0
        for (s, b) in blocks.enumerated() {
            let c = s < 62 ? MemoryEstimate.product([width, 1 << s]) : Int.max
            let (t, o) = conv.addingReportingOverflow(MemoryEstimate.product([b, 2, 9, c, c]))
            conv = o ? Int.max : t
        }
        e.add("the backbone's convolution weights (model.width = \(width), \(blocks.count) stages)", bytes: conv, 4, 4)
        let layersAtFullSize = 4 * (blocks.first ?? 1) + 2
        e.add("the first stage's activations (batch \(maxBatch) × \(width) channels × \(imageHeight)×\(imageWidth))",
              bytes: maxBatch, width, imageHeight, imageWidth, layersAtFullSize, 4)
        var previous = blocks.count < 63 ? MemoryEstimate.product([width, 1 << (blocks.count - 1)]) : Int.max
        for (i, d) in headWidths.enumerated() {
            e.add("head layer \(i + 1) (model.head_widths[\(i)] = \(d), a \(d)×\(previous) weight)", bytes: d, previous, 4, 4)
            e.add("head layer \(i + 1)'s activations (model.head_widths[\(i)] = \(d), batch \(maxBatch))", bytes: maxBatch, d, 4, 4)
            previous = d
        }
        e.add("the classifier (K = \(classes) × d = \(previous))", bytes: classes, previous, 4, 4)
        return e
    }
}
