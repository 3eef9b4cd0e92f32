import Collapse
import Formats
import Foundation
import Linalg

/// The arrays of one feature file (`.npz` or `.safetensors`, samples as ROWS), opened from its headers only.
///
/// Feature arrays are streamed in batches of rows: `.npy` members of an `.npz` through `NPYRowReader`,
/// `.safetensors` tensors through `SafetensorsRowReader` (float16 and bfloat16 widened). Small arrays
/// (labels, weights, biases) are read whole by `array(_:)`. Fortran-order members stream too (by random
/// access) when the archive stores them (`numpy.savez`); in a deflated archive (`numpy.savez_compressed`)
/// they are read whole, after a memory-budget check, with a note for large arrays.
public struct FeatureFile {
    /// The file.
    public let url: URL
    /// What the file holds, in file order (headers only).
    public let infos: [FeatureFilePlan.ArrayInfo]
    /// Notes for the user (arrays read whole instead of streamed).
    public private(set) var notes: [String] = []
    private var npz: [String: NPYRowReader] = [:]
    private var safetensors: [String: SafetensorsEntry] = [:]
    private var whole: [String: NDArray] = [:]
    private let isNPZ: Bool

    /// Opens `url` (`.npz` or `.safetensors`); throws `CollapseError.invalidFile` for any other extension.
    public init(_ url: URL) throws {
        self.url = url
        var infos: [FeatureFilePlan.ArrayInfo] = []
        switch url.pathExtension.lowercased() {
        case "npz":
            isNPZ = true
            for name in try NPZ.names(in: url) {
                do {
                    let reader = try NPYRowReader(npz: url, member: name)
                    npz[name] = reader
                    if reader.readsWhole, reader.header.count > 1 << 20 {
                        notes.append("\(url.path): \(name) is in Fortran order in a compressed archive, so it is read whole instead of streamed (save it with numpy.savez, or numpy.ascontiguousarray, to stream it)")
                    }
                    infos.append(.init(name: name, shape: reader.header.shape, isFloatingPoint: reader.dtype.isFloatingPoint))
                } catch {
                    // A member that is not a 1-D or 2-D array (a scalar, a 3-D array) has no rows to stream:
                    // read it whole; if that fails too, the streaming error is the one to show.
                    guard let a = try? NPZ.member(name, in: url) else { throw error }
                    whole[name] = a
                    infos.append(.init(name: name, shape: a.shape, isFloatingPoint: a.dtype.isFloatingPoint))
                }
            }
        case "safetensors":
            isNPZ = false
            for e in try Safetensors.entries(in: url) {
                safetensors[e.name] = e
                infos.append(.init(name: e.name, shape: e.shape, isFloatingPoint: e.isFloatingPoint))
            }
        default:
            throw CollapseError.invalidFile(path: url.path, reason: "expected a .npz or .safetensors file")
        }
        self.infos = infos
    }

    /// The shape of array `name`, or nil when the file has no such array.
    public func shape(_ name: String) -> [Int]? { infos.first { $0.name == name }?.shape }

    /// A whole (small) array: labels, weight, bias.
    public func array(_ name: String) throws -> NDArray {
        if let a = whole[name] { return a }
        if isNPZ { return try NPZ.member(name, in: url) }
        return try Safetensors.tensor(name, in: url)
    }

    /// The labels array `name` as class indices (integers, or floats holding whole numbers).
    public func labels(_ name: String) throws -> [Int] {
        let a = try array(name)
        guard a.shape.count == 1 || (a.shape.count == 2 && a.shape[1] == 1) else {
            throw CollapseError.invalidFile(path: url.path, reason: "'\(name)' has shape \(a.shape), expected N integer labels (a 1-D array)")
        }
        return try FeatureFilePlan.labels(integers: a.integers, floats: a.doubles, path: url.path)
    }

    /// A streaming source for the rows of array `name`, and whether it holds float64 (else it is read as Float).
    public func rowSource(_ name: String) throws -> (source: any RowBatchSource, isDouble: Bool) {
        if let r = npz[name] { return (r, r.dtype == .float64) }
        if let e = safetensors[name] { return (try SafetensorsRowReader(url: url, entry: e), e.dtype == "F64") }
        if let a = whole[name] { return (try InMemoryRows(a, name: name), a.dtype == .float64) }
        throw FormatError.missingMember(path: url.path, name: name, available: infos.map(\.name))
    }

    /// Streams the rows of layer `name` in its own precision (Double for float64, Float otherwise).
    public func forEachBatch(_ name: String, maxRows: Int, double: (Matrix<Double>, Int) throws -> Void,
                             float: (Matrix<Float>, Int) throws -> Void) throws {
        let (source, isDouble) = try rowSource(name)
        if isDouble { try source.forEachBatch(maxRows: maxRows, as: Double.self, double) }
        else { try source.forEachBatch(maxRows: maxRows, as: Float.self, float) }
    }
}
