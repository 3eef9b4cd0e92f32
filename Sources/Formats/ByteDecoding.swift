import Foundation
import Linalg

// Little-endian bytes ↔ typed elements. The toolkit runs on little-endian hosts (x86-64, arm64), where
// the file's bytes are the in-memory representation, so decoding is a copy.

/// Whether this host is little-endian (checked once; the byte copies below rely on it).
let hostIsLittleEndian = 1.littleEndian == 1

extension ArrayData {
    /// `count` elements of `dtype` copied from little-endian `bytes` (which must hold count · size bytes).
    static func decode(_ bytes: UnsafeRawBufferPointer, dtype: DType, count: Int) -> ArrayData {
        precondition(hostIsLittleEndian, "big-endian hosts are not supported")
        precondition(bytes.count >= count * dtype.size, "decode: \(bytes.count) bytes for \(count) × \(dtype.size)")
        func copy<T>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 {
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: bytes[0..<(count * MemoryLayout<T>.stride)]))
                }
                initialized = count
            }
        }
        switch dtype {
        case .float32: return .float32(copy(Float.self))
        case .float64: return .float64(copy(Double.self))
        case .int32: return .int32(copy(Int32.self))
        case .int64: return .int64(copy(Int64.self))
        case .uint8: return .uint8(copy(UInt8.self))
        }
    }

    /// The elements' little-endian bytes, appended to `out`.
    func appendBytes(to out: inout Data) {
        precondition(hostIsLittleEndian, "big-endian hosts are not supported")
        switch self {
        case .float32(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
        case .float64(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
        case .int32(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
        case .int64(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
        case .uint8(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
        }
    }

    /// The same elements reordered by `source`: element k of the result is element `source[k]` of self.
    func gathered(_ source: [Int]) -> ArrayData {
        switch self {
        case .float32(let a): .float32(source.map { a[$0] })
        case .float64(let a): .float64(source.map { a[$0] })
        case .int32(let a): .int32(source.map { a[$0] })
        case .int64(let a): .int64(source.map { a[$0] })
        case .uint8(let a): .uint8(source.map { a[$0] })
        }
    }
}

/// For an array of `shape`, the Fortran-order (column-major) position of each element taken in C order.
/// Reading C-order element k from F-order storage is `storage[fortranPositions[k]]`, and writing F-order
/// storage from C-order elements is `storage[k] = c[cPositions…]` with the same permutation inverted.
func fortranPositions(shape: [Int]) -> [Int] {
    let count = shape.reduce(1, *)
    if shape.count < 2 || count == 0 { return Array(0..<count) }
    var fStride = [Int](repeating: 1, count: shape.count)
    for j in 1..<shape.count { fStride[j] = fStride[j - 1] * shape[j - 1] }
    var result = [Int](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: shape.count)
    var position = 0
    for k in 0..<count {
        result[k] = position
        // Advance the C-order multi-index (last axis fastest), keeping the F-order position in step.
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            position += fStride[axis]
            if index[axis] < shape[axis] { break }
            position -= fStride[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
    return result
}

/// Converts `count` little-endian elements of `dtype` at `bytes` into `out` (Float or Double).
/// When the dtype already is the destination type this is one memory copy.
@inline(__always)
func convertElements<T: BLASScalar>(_ bytes: UnsafeRawBufferPointer, dtype: DType, count: Int, into out: UnsafeMutablePointer<T>) {
    precondition(bytes.count >= count * dtype.size)
    guard count > 0, let base = bytes.baseAddress else { return }
    if (dtype == .float32 && T.self == Float.self) || (dtype == .float64 && T.self == Double.self) {
        UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: count * dtype.size)
        return
    }
    switch dtype {
    case .float32: for k in 0..<count { out[k] = T(base.loadUnaligned(fromByteOffset: 4 * k, as: Float.self)) }
    case .float64: for k in 0..<count { out[k] = T(base.loadUnaligned(fromByteOffset: 8 * k, as: Double.self)) }
    case .int32: for k in 0..<count { out[k] = T(base.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)) }
    case .int64: for k in 0..<count { out[k] = T(base.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self)) }
    case .uint8: for k in 0..<count { out[k] = T(base.load(fromByteOffset: k, as: UInt8.self)) }
    }
}
