import Foundation
import Linalg
import Testing
@testable import Formats

@Suite("NPY")
struct NPYTests {
    @Test("every dtype round-trips through encode/decode in C and Fortran order")
    func roundTrip() throws {
        for (name, a) in sampleArrays() {
            for fortran in [false, true] {
                let back = try NPY.decode(NPY.encode(a, fortranOrder: fortran), path: name)
                #expect(back == a, "\(name) fortran=\(fortran)")
            }
        }
    }

    @Test("files are written atomically and read back; the data starts on a 64-byte boundary")
    func writeRead() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, a) in sampleArrays() {
            let url = dir.appendingPathComponent("\(name).npy")
            try NPY.write(a, to: url)
            #expect(try NPY.read(url) == a)
            let header = try Data(contentsOf: url).withUnsafeBytes { try NPYHeader.parse($0, path: name) }
            #expect(header.dataOffset % 64 == 0)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("Fortran order on disk really is column-major")
    func fortranLayout() throws {
        let a = NDArray(shape: [2, 3], data: .int32([1, 2, 3, 4, 5, 6]))
        let bytes = NPY.encode(a, fortranOrder: true)
        let payload = bytes.suffix(24).withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        #expect(payload == [1, 4, 2, 5, 3, 6])
    }

    @Test("big headers switch to version 2.0")
    func version2() throws {
        let a = NDArray(shape: [Int](repeating: 1, count: 30000), data: .uint8([7]))
        let bytes = NPY.encode(a)
        #expect(bytes[6] == 2)
        #expect(try NPY.decode(bytes, path: "v2") == a)
    }

    @Test("NumPy-written fixtures")
    func numpyFixtures() throws {
        let f32 = try NPY.read(fixture("f32_matrix.npy"))
        let f32Expected: [Float] = (0..<12).map { Float($0) + 0.5 }
        #expect(f32 == NDArray(shape: [3, 4], data: .float32(f32Expected)))

        let fortran = try NPY.read(fixture("f64_fortran.npy"))
        #expect(fortran.shape == [3, 4])
        #expect(fortran.doubles == grid(3, 4) { i, j in Double(i * 10 + j) })

        let v2 = try NPY.read(fixture("f64_v2.npy"))
        #expect(v2.shape == [2, 3])
        #expect(v2.doubles == grid(2, 3) { i, j in Double(i) - Double(j) / 4 })

        #expect(try NPY.read(fixture("i64_labels.npy")) == NDArray(shape: [7], data: .int64([0, 1, 2, 0, 1, 2, 9])))
        let i32: [Int32] = (0..<24).map { Int32($0) - 5 }
        #expect(try NPY.read(fixture("i32_3d.npy")) == NDArray(shape: [2, 3, 4], data: .int32(i32)))
        let u8: [UInt8] = (0..<12).map { UInt8($0 * 20) }
        #expect(try NPY.read(fixture("u8_image.npy")) == NDArray(shape: [2, 2, 3], data: .uint8(u8)))
        #expect(try NPY.read(fixture("f64_scalar.npy")) == NDArray(shape: [], data: .float64([3.25])))
        let f3: [Float] = (0..<24).map { Float($0) / 8 }
        #expect(try NPY.read(fixture("f32_fortran_3d.npy")) == NDArray(shape: [2, 3, 4], data: .float32(f3)))
    }

    @Test("our encoding of the fixtures' arrays is byte-identical to NumPy's")
    func byteIdentical() throws {
        for name in ["f32_matrix.npy", "i64_labels.npy", "i32_3d.npy", "u8_image.npy", "f64_scalar.npy"] {
            let url = try fixture(name)
            #expect(NPY.encode(try NPY.read(url)) == (try Data(contentsOf: url)), "\(name)")
        }
        let fortran = try fixture("f64_fortran.npy")
        #expect(NPY.encode(try NPY.read(fortran), fortranOrder: true) == (try Data(contentsOf: fortran)))
    }

    @Test("header parsing tolerates spacing, key order, double quotes, lists and Python 2 longs")
    func headerVariants() throws {
        let payload = [UInt8](repeating: 0, count: 48)
        for h in [
            "{'descr':'<f8','fortran_order':False,'shape':(2,3)}",
            "{ 'shape' : ( 2 , 3 , ) , \"fortran_order\": False, 'descr': \"<f8\" }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3], }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }",
        ] {
            let a = try NPY.decode(npyBytes(header: h, payload: payload), path: h)
            #expect(a.shape == [2, 3] && a.dtype == .float64, "\(h)")
        }
        let v3 = try NPY.decode(npyBytes(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", payload: [5, 0, 0, 0], version: 3), path: "v3")
        #expect(v3 == NDArray(shape: [1], data: .int32([5])))
    }
}

/// The row-major `rows × cols` grid of f(i, j).
func grid(_ rows: Int, _ cols: Int, _ f: (Int, Int) -> Double) -> [Double] {
    var out: [Double] = []
    for i in 0..<rows { for j in 0..<cols { out.append(f(i, j)) } }
    return out
}
