/// A dense matrix of `Double` or `Float`, stored row-major (C order) in one contiguous array.
///
/// Row-major is the memory order of NumPy's default `.npy` arrays and of PyTorch tensors, so a file
/// maps onto `storage` without a copy or a transpose. Entry (i, j) lives at `storage[i * cols + j]`.
/// `Matrix` has value semantics (copy-on-write through `Array`). Hot loops work in place through
/// `withUnsafeMutableBufferPointer` on preallocated matrices; nothing in this type allocates unless
/// its documentation says it returns a new matrix.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let cols: Int
    /// The entries, row-major: `storage[i * cols + j]` is entry (i, j). `storage.count == rows * cols`.
    public var storage: [Scalar]

    /// A `rows × cols` matrix with every entry equal to `value`.
    @inlinable
    public init(rows: Int, cols: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && cols >= 0, "negative matrix dimension \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = [Scalar](repeating: value, count: rows * cols)
    }

    /// A `rows × cols` matrix over existing row-major entries (`storage.count` must be `rows * cols`).
    @inlinable
    public init(rows: Int, cols: Int, storage: [Scalar]) {
        precondition(rows >= 0 && cols >= 0, "negative matrix dimension \(rows)×\(cols)")
        precondition(storage.count == rows * cols, "storage has \(storage.count) entries, \(rows)×\(cols) needs \(rows * cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// A matrix from nested rows, `[[a, b], [c, d]]`; every row must have the same length.
    @inlinable
    public init(_ nested: [[Scalar]]) {
        let r = nested.count
        let c = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == c }, "ragged rows")
        self.init(rows: r, cols: c, storage: nested.flatMap { $0 })
    }

    /// A matrix whose entry (i, j) is `entry(i, j)`.
    @inlinable
    public init(rows: Int, cols: Int, entry: (Int, Int) throws -> Scalar) rethrows {
        var s = [Scalar]()
        s.reserveCapacity(rows * cols)
        for i in 0..<rows { for j in 0..<cols { s.append(try entry(i, j)) } }
        self.init(rows: rows, cols: cols, storage: s)
    }

    /// The n × n identity.
    @inlinable
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.storage[i * n + i] = 1 }
        return m
    }

    /// The square matrix with `d` on its diagonal.
    @inlinable
    public static func diagonal(_ d: [Scalar]) -> Matrix {
        var m = Matrix(rows: d.count, cols: d.count)
        for i in d.indices { m.storage[i * d.count + i] = d[i] }
        return m
    }

    /// (rows, cols).
    @inlinable
    public var shape: (rows: Int, cols: Int) { (rows, cols) }
    /// rows · cols.
    @inlinable
    public var count: Int { storage.count }

    @inlinable
    public subscript(i: Int, j: Int) -> Scalar {
        @inline(__always) get { storage[i * cols + j] }
        @inline(__always) set { storage[i * cols + j] = newValue }
    }

    /// Row `i` as a new array.
    @inlinable
    public func row(_ i: Int) -> [Scalar] { Array(storage[(i * cols)..<((i + 1) * cols)]) }

    /// Column `j` as a new array.
    @inlinable
    public func column(_ j: Int) -> [Scalar] { (0..<rows).map { storage[$0 * cols + j] } }

    /// The transpose, as a new matrix.
    @inlinable
    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        storage.withUnsafeBufferPointer { a in
            t.storage.withUnsafeMutableBufferPointer { b in
                for i in 0..<rows { for j in 0..<cols { b[j * rows + i] = a[i * cols + j] } }
            }
        }
        return t
    }

    /// Columns `range` as a new matrix.
    @inlinable
    public func columns(_ range: Range<Int>) -> Matrix {
        Matrix(rows: rows, cols: range.count) { i, j in self[i, range.lowerBound + j] }
    }

    /// Rows `range` as a new matrix (one contiguous copy).
    @inlinable
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// The same entries in another precision.
    @inlinable
    public func converted<T: BLASScalar>(to: T.Type = T.self) -> Matrix<T> {
        Matrix<T>(rows: rows, cols: cols, storage: storage.map { T($0) })
    }

    @inlinable @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    @inlinable @inline(__always)
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// True when every entry is finite (no NaN, no ±Inf).
    @inlinable
    public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }
}

extension Matrix: CustomStringConvertible {
    @inlinable
    public var description: String {
        var s = "Matrix<\(Scalar.self)> \(rows)×\(cols)"
        if rows * cols <= 64 {
            for i in 0..<rows { s += "\n  " + row(i).map { "\($0)" }.joined(separator: "  ") }
        }
        return s
    }
}
