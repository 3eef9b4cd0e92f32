/// Elementwise maps and row/column reductions. Reductions accumulate in the matrix's own precision
/// except where noted; the statistics code (Collapse) accumulates Float features in Double itself.
extension Matrix {
    /// A new matrix with `f` applied to every entry.
    @inlinable
    public func map(_ f: (Scalar) throws -> Scalar) rethrows -> Matrix {
        Matrix(rows: rows, cols: cols, storage: try storage.map(f))
    }

    /// Applies `f` to every entry in place.
    @inlinable @inline(__always)
    public mutating func formMap(_ f: (Scalar) -> Scalar) {
        storage.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = f(p[i]) } }
    }

    /// A new matrix with f(aᵢⱼ, bᵢⱼ) at every entry.
    @inlinable
    public static func zip(_ a: Matrix, _ b: Matrix, _ f: (Scalar, Scalar) -> Scalar) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "zip: \(a.rows)×\(a.cols) vs \(b.rows)×\(b.cols)")
        var c = a
        c.storage.withUnsafeMutableBufferPointer { pc in
            b.storage.withUnsafeBufferPointer { pb in for i in pc.indices { pc[i] = f(pc[i], pb[i]) } }
        }
        return c
    }

    /// Σ_j A_ij for every row i (a vector of length `rows`).
    @inlinable
    public func rowSums() -> [Scalar] {
        var s = [Scalar](repeating: 0, count: rows)
        storage.withUnsafeBufferPointer { p in
            for i in 0..<rows { var t: Scalar = 0; for j in 0..<cols { t += p[i * cols + j] }; s[i] = t }
        }
        return s
    }

    /// Σ_i A_ij for every column j (a vector of length `cols`).
    @inlinable
    public func columnSums() -> [Scalar] {
        var s = [Scalar](repeating: 0, count: cols)
        storage.withUnsafeBufferPointer { p in
            s.withUnsafeMutableBufferPointer { ps in
                for i in 0..<rows { for j in 0..<cols { ps[j] += p[i * cols + j] } }
            }
        }
        return s
    }

    /// Mean of every row.
    @inlinable
    public func rowMeans() -> [Scalar] { rowSums().map { $0 / Scalar(Swift.max(cols, 1)) } }
    /// Mean of every column.
    @inlinable
    public func columnMeans() -> [Scalar] { columnSums().map { $0 / Scalar(Swift.max(rows, 1)) } }

    /// Σ_ij A_ij.
    @inlinable
    public func sum() -> Scalar { storage.reduce(0, +) }
    /// max_ij |A_ij| (0 for an empty matrix).
    @inlinable
    public func maxAbs() -> Scalar { storage.reduce(0) { Swift.max($0, abs($1)) } }

    @inlinable
    public static func + (a: Matrix, b: Matrix) -> Matrix { var c = a; c.add(b); return c }
    @inlinable
    public static func - (a: Matrix, b: Matrix) -> Matrix { var c = a; c.add(b, scaledBy: -1); return c }
    @inlinable
    public static func * (s: Scalar, a: Matrix) -> Matrix { var c = a; c.scale(by: s); return c }
    @inlinable
    public static prefix func - (a: Matrix) -> Matrix { var c = a; c.scale(by: -1); return c }
}
