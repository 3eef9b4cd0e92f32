import Foundation
import Testing
@testable import Formats

/// A committed fixture (Tests/FormatsTests/Fixtures, made by make_fixtures.py).
func fixture(_ name: String) throws -> URL {
    let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures not bundled")
    return dir.appendingPathComponent(name)
}

/// A fresh empty directory under the system temporary directory, removed by the caller's `defer`.
func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("formats-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// One array of every dtype, with values that exercise signs, fractions and the type's extremes.
func sampleArrays() -> [(name: String, array: NDArray)] {
    [
        ("f32", NDArray(shape: [3, 4], data: .float32((0..<12).map { Float($0) * 0.25 - 1 }))),
        ("f64", NDArray(shape: [2, 3, 2], data: .float64((0..<12).map { Double($0) / 3 - 2 }))),
        ("i32", NDArray(shape: [5], data: .int32([Int32.min, -1, 0, 1, Int32.max]))),
        ("i64", NDArray(shape: [2, 2], data: .int64([Int64.min, -7, 42, Int64.max]))),
        ("u8", NDArray(shape: [2, 3], data: .uint8([0, 1, 127, 128, 254, 255]))),
        ("scalar", NDArray(shape: [], data: .float64([3.5]))),
        ("empty", NDArray(shape: [0, 3], data: .float32([]))),
    ]
}

/// `.npy` bytes with a hand-written header dict (padded like NumPy's), followed by `payload`.
func npyBytes(header: String, payload: [UInt8], version: UInt8 = 1) -> Data {
    let prefix = version == 1 ? 10 : 12
    var text = Array(header.utf8)
    let total = prefix + text.count + 1
    text += [UInt8](repeating: 0x20, count: (total + 63) / 64 * 64 - total)
    text.append(0x0A)
    var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
    for i in 0..<(prefix - 8) { out.append(UInt8(truncatingIfNeeded: text.count >> (8 * i))) }
    return Data(out + text + payload)
}
