/// Float storage with a stable address, 64-byte aligned and zero-filled, allocated once and never resized.
///
/// Every activation, gradient, parameter and workspace of a network lives in one of these, so the hot
/// loops work on raw pointers with no copy-on-write, no bounds checks and no allocation per step.
public final class FloatBuffer: @unchecked Sendable {
    /// Number of Floats.
    public let count: Int
    /// The first element.
    public let base: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0, "negative buffer size \(count)")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        base.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    /// A buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { p in if let a = p.baseAddress { base.update(from: a, count: values.count) } }
    }

    deinit { base.deallocate() }

    /// The contents as an array (a copy; for tests, checkpoints and reports, not for hot loops).
    public var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Overwrites the first `values.count` elements.
    public func assign(_ values: [Float]) {
        precondition(values.count <= count, "assigning \(values.count) values to a buffer of \(count)")
        values.withUnsafeBufferPointer { p in if let a = p.baseAddress { base.update(from: a, count: values.count) } }
    }

    /// Sets every element to zero.
    public func zero() { base.update(repeating: 0, count: count) }

    public subscript(i: Int) -> Float {
        @inline(__always) get { base[i] }
        @inline(__always) set { base[i] = newValue }
    }
}
