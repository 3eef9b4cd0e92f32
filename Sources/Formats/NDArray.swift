import Linalg

/// Element types that the readers and writers exchange with NumPy and PyTorch.
///
/// The raw value is NumPy's little-endian `descr` string (`numpy.dtype('<f8').str`).
public enum DType: String, Sendable, CaseIterable {
    case float32 = "<f4"
    case float64 = "<f8"
    case int32 = "<i4"
    case int64 = "<i8"
    case uint8 = "|u1"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .uint8: 1
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
}

/// The typed elements of an `NDArray`, in C (row-major) order.
public enum ArrayData: Equatable, Sendable {
    case float32([Float])
    case float64([Double])
    case int32([Int32])
    case int64([Int64])
    case uint8([UInt8])

    public var dtype: DType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .int32: .int32
        case .int64: .int64
        case .uint8: .uint8
        }
    }

    public var count: Int {
        switch self {
        case .float32(let a): a.count
        case .float64(let a): a.count
        case .int32(let a): a.count
        case .int64(let a): a.count
        case .uint8(let a): a.count
        }
    }
}

/// An n-dimensional array as read from or written to `.npy`, `.npz` and `.safetensors` files:
/// a shape and its elements in C order (the last index varies fastest), whatever order the file used.
///
/// Files exchanged with NumPy/PyTorch keep their convention: a feature matrix has samples as ROWS (N×d).
public struct NDArray: Equatable, Sendable {
    public var shape: [Int]
    public var data: ArrayData

    public init(shape: [Int], data: ArrayData) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A 2-D float64 array holding the matrix (row-major, no copy of the layout).
    public init(_ m: Matrix<Double>) { self.init(shape: [m.rows, m.cols], data: .float64(m.storage)) }
    /// A 2-D float32 array holding the matrix.
    public init(_ m: Matrix<Float>) { self.init(shape: [m.rows, m.cols], data: .float32(m.storage)) }
    /// A 1-D float64 array.
    public init(_ v: [Double]) { self.init(shape: [v.count], data: .float64(v)) }
    /// A 1-D int64 array (labels).
    public init(labels: [Int]) { self.init(shape: [labels.count], data: .int64(labels.map { Int64($0) })) }

    public var dtype: DType { data.dtype }
    public var count: Int { data.count }

    /// The elements as `Double`, converted from any dtype.
    public var doubles: [Double] {
        switch data {
        case .float32(let a): a.map { Double($0) }
        case .float64(let a): a
        case .int32(let a): a.map { Double($0) }
        case .int64(let a): a.map { Double($0) }
        case .uint8(let a): a.map { Double($0) }
        }
    }

    /// The elements as `Float`, converted from any dtype.
    public var floats: [Float] {
        switch data {
        case .float32(let a): a
        case .float64(let a): a.map { Float($0) }
        case .int32(let a): a.map { Float($0) }
        case .int64(let a): a.map { Float($0) }
        case .uint8(let a): a.map { Float($0) }
        }
    }

    /// The elements as `Int`, for integer dtypes; `nil` for floating-point arrays.
    public var integers: [Int]? {
        switch data {
        case .int32(let a): a.map { Int($0) }
        case .int64(let a): a.map { Int($0) }
        case .uint8(let a): a.map { Int($0) }
        case .float32, .float64: nil
        }
    }

    /// The array as a `rows × cols` Double matrix: a 2-D array as it is, a 1-D array as one column.
    /// Throws `FormatError.shape` (naming `name`) for any other rank.
    public func matrix(name: String) throws -> Matrix<Double> {
        switch shape.count {
        case 2: return Matrix(rows: shape[0], cols: shape[1], storage: doubles)
        case 1: return Matrix(rows: shape[0], cols: 1, storage: doubles)
        default: throw FormatError.shape(name: name, found: shape, expected: "a 1-D or 2-D array")
        }
    }

    /// The array as a Float matrix, like `matrix(name:)`.
    public func floatMatrix(name: String) throws -> Matrix<Float> {
        switch shape.count {
        case 2: return Matrix(rows: shape[0], cols: shape[1], storage: floats)
        case 1: return Matrix(rows: shape[0], cols: 1, storage: floats)
        default: throw FormatError.shape(name: name, found: shape, expected: "a 1-D or 2-D array")
        }
    }
}
