import Foundation
import Linalg
import Testing
@testable import Formats

/// Fortran-order (column-major) arrays stream by random access and give exactly the C-order batches.
@Suite("Fortran-order row streaming")
struct FortranRowReaderTests {
    let helper = RowReaderTests()

    /// Every batch's elements as bit patterns, with batch sizes and first rows checked.
    func bits(_ source: some RowBatchSource, maxRows: Int) throws -> (f: [UInt32], d: [UInt64]) {
        let f = try helper.collect(source, maxRows: maxRows, as: Float.self).storage.map(\.bitPattern)
        let d = try helper.collect(source, maxRows: maxRows, as: Double.self).storage.map(\.bitPattern)
        return (f, d)
    }

    @Test("npy, stored and deflated npz in Fortran order give the C-order batches bit for bit")
    func bitIdenticalToCOrder() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 3000 × 129 float32: columns of 12 KB, batches not dividing N; N × 1, 1 × d, d × 1 and integer dtypes.
        let cases: [(Int, Int, DType)] = [(3000, 129, .float32), (257, 33, .float64), (50, 1, .float64), (1, 9, .float32),
                                          (9, 1, .float32), (40, 5, .int32), (23, 4, .uint8)]
        for (rows, cols, dtype) in cases {
            let a = helper.features(rows, cols, dtype)
            let cNPY = dir.appendingPathComponent("c.npy"), fNPY = dir.appendingPathComponent("f.npy")
            try NPY.write(a, to: cNPY)
            try NPY.write(a, to: fNPY, fortranOrder: true)
            let stored = dir.appendingPathComponent("stored.npz"), deflated = dir.appendingPathComponent("deflated.npz")
            try NPZ.write([("labels", NDArray(labels: [1, 2])), ("x", a)], to: stored, fortranOrder: true)
            try NPZ.write([("labels", NDArray(labels: [1, 2])), ("x", a)], to: deflated, compressed: true, fortranOrder: true)
            let reference = try NPYRowReader(url: cNPY)
            let whole = try NPY.read(fNPY)
            #expect(whole == a)
            let readers = [try NPYRowReader(url: fNPY), try NPYRowReader(npz: stored, member: "x"), try NPYRowReader(npz: deflated, member: "x")]
            // N × 1 and 1 × d have the same bytes in both orders: they stream as C order, even when deflated.
            let columnMajor = rows > 1 && cols > 1
            #expect(readers.allSatisfy { $0.header.fortranOrder })
            #expect(readers.map { $0.columnMajor != nil } == [columnMajor, columnMajor, false])
            #expect(readers.map(\.readsWhole) == [false, false, columnMajor])
            for maxRows in [1, 7, 64, rows - 1, rows, rows + 5] where maxRows > 0 && (maxRows > 1 || rows <= 300) {
                let expected = try bits(reference, maxRows: maxRows)
                #expect(try expected.d == whole.matrix(name: "x").storage.map(\.bitPattern))
                for r in readers {
                    let got = try bits(r, maxRows: maxRows)
                    #expect(got.f == expected.f, "\(rows)×\(cols) \(dtype) batch \(maxRows) \(r.member ?? "npy") as Float")
                    #expect(got.d == expected.d, "\(rows)×\(cols) \(dtype) batch \(maxRows) \(r.member ?? "npy") as Double")
                }
            }
        }
    }

    @Test("NumPy's np.savez and np.savez_compressed Fortran members stream (ZIP64 local headers)")
    func numpyFixtures() throws {
        let f64 = (0..<21).map { Double($0) / 7 }, f32 = (0..<20).map { Float($0) * 0.5 - 3 }
        for (name, whole) in [("fortran_stored.npz", false), ("fortran_compressed.npz", true)] {
            let url = try fixture(name)
            let d = try NPYRowReader(npz: url, member: "f64")
            #expect(d.header.fortranOrder && d.rows == 7 && d.cols == 3 && d.readsWhole == whole)
            for maxRows in [1, 3, 7, 10] {
                #expect(try helper.collect(d, maxRows: maxRows, as: Double.self).storage == f64)
                let f = try NPYRowReader(npz: url, member: "f32")
                #expect(try helper.collect(f, maxRows: maxRows, as: Float.self).storage == f32)
            }
        }
    }

    @Test("a corrupt stored Fortran member fails its CRC; a file cut after opening is truncated")
    func badInput() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = helper.features(30, 4, .float64)
        let npz = dir.appendingPathComponent("f.npz")
        try NPZ.write([("x", a)], to: npz, fortranOrder: true)
        var bytes = try Data(contentsOf: npz)
        let image = NPY.encode(a, fortranOrder: true)
        let at = try #require(bytes.range(of: image)).lowerBound + image.count - 100
        bytes[at] ^= 0x01
        try bytes.write(to: npz)
        let reader = try NPYRowReader(npz: npz, member: "x")
        #expect(reader.columnMajor != nil)
        var delivered = 0
        do {
            try reader.forEachBatch(maxRows: 8, as: Double.self) { b, _ in delivered += b.rows }
            Issue.record("accepted a corrupt member")
        } catch let FormatError.invalidContent(path, reason) {
            #expect(path == "\(npz.path)[x]" && reason.contains("CRC"), "\(reason)")
        }
        #expect(delivered == 30)

        let npy = dir.appendingPathComponent("f.npy")
        try NPY.write(a, to: npy, fortranOrder: true)
        let cutReader = try NPYRowReader(url: npy)
        try Data(NPY.encode(a, fortranOrder: true).dropLast(8)).write(to: npy)
        #expect(throws: FormatError.self) { try cutReader.forEachBatch(maxRows: 8, as: Double.self) { _, _ in } }
        #expect(throws: FormatError.truncated(path: npy.path, expectedBytes: 128 + 960, foundBytes: 128 + 952)) {
            try NPYRowReader(url: npy)
        }
    }

    /// The ZIP records are read by hand to find a stored member's offset: every flipped byte and every cut
    /// of a small archive either throws or streams, never traps (an index out of range, an overflow).
    @Test("flipped bytes and cuts of a stored Fortran archive throw or stream, never trap")
    func mutatedArchives() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = helper.features(12, 3, .float64)
        let npz = dir.appendingPathComponent("f.npz")
        try NPZ.write([("labels", NDArray(labels: [0, 1])), ("x", a)], to: npz, fortranOrder: true)
        let good = try Data(contentsOf: npz)
        let bad = dir.appendingPathComponent("bad.npz")
        var outcomes = (thrown: 0, streamed: 0)
        func attempt(_ bytes: Data) throws {
            try bytes.write(to: bad)
            do {
                let r = try NPYRowReader(npz: bad, member: "x")
                try r.forEachBatch(maxRows: 5, as: Double.self) { _, _ in }
                outcomes.streamed += 1
            } catch is FormatError { outcomes.thrown += 1 }
        }
        for i in 0..<good.count {
            var b = good
            b[i] ^= 0xFF
            try attempt(b)
        }
        for n in stride(from: 0, to: good.count, by: 7) { try attempt(good.prefix(n)) }
        #expect(outcomes.thrown > good.count / 2, "\(outcomes)")
    }
}
