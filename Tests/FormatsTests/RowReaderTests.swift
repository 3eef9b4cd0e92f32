import Foundation
import Linalg
import Testing
@testable import Formats

@Suite("Row streaming")
struct RowReaderTests {
    /// A 2-D array of `rows × cols` with distinct values.
    func features(_ rows: Int, _ cols: Int, _ dtype: DType) -> NDArray {
        let n = rows * cols
        let data: ArrayData = switch dtype {
        case .float32: .float32((0..<n).map { Float($0) * 0.5 - 3 })
        case .float64: .float64((0..<n).map { Double($0) / 7 })
        case .int32: .int32((0..<n).map { Int32($0) - 100 })
        case .int64: .int64((0..<n).map { Int64($0) * 3 })
        case .uint8: .uint8((0..<n).map { UInt8($0 % 256) })
        }
        return NDArray(shape: [rows, cols], data: data)
    }

    /// Concatenates every batch and checks batch sizes and first-row indices.
    func collect<T: BLASScalar>(_ source: some RowBatchSource, maxRows: Int, as: T.Type) throws -> Matrix<T> {
        var all: [T] = []
        var next = 0
        try source.forEachBatch(maxRows: maxRows, as: T.self) { batch, first in
            #expect(first == next)
            #expect(batch.cols == source.cols)
            #expect(batch.rows == min(maxRows, source.rows - first))
            all += batch.storage
            next += batch.rows
        }
        #expect(next == source.rows)
        return Matrix(rows: source.rows, cols: source.cols, storage: all)
    }

    @Test("npy, stored npz and deflated npz members stream exactly what a whole read gives")
    func agreesWithWholeRead() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 3000 × 129 float32 is 1.5 MB: several 1 MiB read chunks, rows split across chunk boundaries.
        for (rows, cols, dtype) in [(3000, 129, DType.float32), (257, 33, .float64), (100, 7, .uint8), (50, 3, .int64), (40, 5, .int32)] {
            let a = features(rows, cols, dtype)
            let npy = dir.appendingPathComponent("f.npy")
            try NPY.write(a, to: npy)
            let whole = try NPY.read(npy)
            for compressed in [false, true] {
                let npz = dir.appendingPathComponent("f-\(compressed).npz")
                try NPZ.write([("labels", NDArray(labels: [1, 2])), ("features", a)], to: npz, compressed: compressed)
                let sources: [NPYRowReader] = [try NPYRowReader(url: npy), try NPYRowReader(npz: npz, member: "features")]
                for source in sources {
                    #expect(source.rows == rows && source.cols == cols && source.dtype == dtype)
                    for maxRows in [1, 64, rows, rows + 5] where maxRows == 1 ? rows <= 300 : true {
                        #expect(try collect(source, maxRows: maxRows, as: Float.self) == whole.floatMatrix(name: "f"))
                        #expect(try collect(source, maxRows: maxRows, as: Double.self) == whole.matrix(name: "f"))
                    }
                }
            }
        }
    }

    @Test("in-memory rows and 1-D arrays")
    func inMemory() throws {
        let a = features(10, 3, .float64)
        #expect(try collect(InMemoryRows(a), maxRows: 4, as: Double.self) == a.matrix(name: "a"))
        let labels = NDArray(labels: [3, 1, 4, 1, 5])
        #expect(try collect(InMemoryRows(labels), maxRows: 2, as: Double.self) == Matrix(rows: 5, cols: 1, storage: [3, 1, 4, 1, 5]))
        #expect(throws: FormatError.shape(name: "t", found: [2, 2, 2], expected: "a 2-D (N × d) array of rows")) {
            try InMemoryRows(NDArray(shape: [2, 2, 2], data: .uint8(Array(repeating: 0, count: 8))), name: "t")
        }
    }

    @Test("the NumPy fixture streams from stored and compressed archives")
    func fixtures() throws {
        let whole = try NPZ.member("features", in: fixture("stored.npz")).floatMatrix(name: "f")
        for name in ["stored.npz", "compressed.npz"] {
            let r = try NPYRowReader(npz: fixture(name), member: "features")
            #expect(try collect(r, maxRows: 4, as: Float.self) == whole)
        }
    }

    @Test("bad inputs: 3-D, truncated file, missing member; Fortran order streams")
    func badInput() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Fortran order streams (FortranRowReaderTests); the NumPy fixture gives its C-order rows.
        let fortran = try NPYRowReader(url: fixture("f64_fortran.npy"))
        #expect(try collect(fortran, maxRows: 2, as: Double.self).storage == (0..<12).map { Double($0 / 4 * 10 + $0 % 4) })
        let cube = try fixture("i32_3d.npy")
        #expect(throws: FormatError.shape(name: cube.path, found: [2, 3, 4], expected: "a 2-D (N × d) array of rows")) {
            try NPYRowReader(url: cube)
        }
        let cut = dir.appendingPathComponent("cut.npy")
        try NPY.encode(features(10, 4, .float64)).dropLast(3).write(to: cut)
        #expect(throws: FormatError.truncated(path: cut.path, expectedBytes: 128 + 320, foundBytes: 128 + 317)) {
            try NPYRowReader(url: cut)
        }
        #expect(throws: FormatError.missingMember(path: try fixture("stored.npz").path, name: "x", available: ["features", "labels"])) {
            try NPYRowReader(npz: fixture("stored.npz"), member: "x")
        }
    }
}
