import Foundation
import Testing
@testable import Formats

@Suite("Safetensors")
struct SafetensorsTests {
    /// A safetensors image with a hand-written JSON header and `buffer` bytes.
    func image(_ json: String, buffer: [UInt8]) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(json.utf8))
        out.append(contentsOf: buffer)
        return out
    }

    @Test("the pure-Python fixture: data order, every dtype, metadata skipped")
    func fixture() throws {
        let t = try Safetensors.read(FormatsTests.fixture("tensors.safetensors"))
        #expect(t.map(\.name) == ["b", "a", "e", "c", "d"])
        #expect(t[0].array == NDArray(shape: [4], data: .int64([7, -1, 0, 3])))
        #expect(t[1].array == NDArray(shape: [2, 3], data: .float32([0, 1.5, 3, 4.5, 6, 7.5])))
        #expect(t[2].array == NDArray(shape: [2, 2], data: .int32([1, -2, 3, -4])))
        #expect(t[3].array == NDArray(shape: [2], data: .float64([0.25, -8])))
        #expect(t[4].array == NDArray(shape: [3], data: .uint8([1, 2, 255])))
    }

    @Test("round trip of every dtype")
    func roundTrip() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        let arrays = sampleArrays()
        try Safetensors.write(arrays, to: url)
        let back = try Safetensors.read(url)
        // "empty" has zero bytes at the same offset as the next tensor would start; data order is by
        // (offset, name), so compare as a set of pairs.
        #expect(back.count == arrays.count)
        for (name, a) in arrays { #expect(back.first { $0.name == name }?.array == a, "\(name)") }
    }

    @Test("bad input throws typed errors")
    func badInput() throws {
        let f32 = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
        let ok = image(f32, buffer: [UInt8](repeating: 0, count: 8))
        #expect(try Safetensors.decode(ok, path: "ok").count == 1)

        // Truncated: the buffer, the header, the length field.
        #expect(throws: FormatError.truncated(path: "t", expectedBytes: ok.count, foundBytes: ok.count - 1)) {
            try Safetensors.decode(ok.dropLast(), path: "t")
        }
        #expect(throws: FormatError.truncated(path: "t", expectedBytes: 8 + f32.utf8.count, foundBytes: 20)) {
            try Safetensors.decode(ok.prefix(20), path: "t")
        }
        #expect(throws: FormatError.truncated(path: "t", expectedBytes: 8, foundBytes: 5)) {
            try Safetensors.decode(ok.prefix(5), path: "t")
        }
        // A header length of 2^60: rejected before allocating.
        var huge = ok
        huge.replaceSubrange(0..<8, with: withUnsafeBytes(of: (UInt64(1) << 60).littleEndian) { Data($0) })
        #expect(throws: FormatError.tooLarge(path: "h", elements: 1 << 60, limit: Safetensors.maximumHeaderBytes)) {
            try Safetensors.decode(huge, path: "h")
        }
        // Offsets beyond the buffer.
        let beyond = image("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", buffer: [UInt8](repeating: 0, count: 8))
        #expect(throws: FormatError.truncated(path: "o", expectedBytes: beyond.count + 8, foundBytes: beyond.count)) {
            try Safetensors.decode(beyond, path: "o")
        }
        // Offsets inconsistent with shape × dtype, reversed, overlapping; a negative dimension; huge shape.
        for (json, what) in [
            ("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12 bytes"),
            ("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "not an interval"),
            ("{\"x\":{\"dtype\":\"U8\",\"shape\":[6],\"data_offsets\":[0,6]},\"y\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", "overlaps"),
            ("{\"x\":{\"dtype\":\"U8\",\"shape\":[-8],\"data_offsets\":[0,8]}}", "negative"),
            ("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "[begin, end]"),
            ("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0, 8]}", "not valid JSON"),
            ("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0, 8]}}", "missing key 'shape'"),
            ("{\"x\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0, 8]}}", "integer arrays"),
            ("[1, 2]", "JSON header"),
        ] {
            do {
                _ = try Safetensors.decode(image(json, buffer: [UInt8](repeating: 0, count: 8)), path: "b")
                Issue.record("accepted \(json)")
            } catch let FormatError.badHeader(path, reason) {
                #expect(path == "b" && reason.contains(what), "\(json): \(reason)")
            } catch { Issue.record("\(json): \(error)") }
        }
        let hugeShape = image("{\"x\":{\"dtype\":\"F64\",\"shape\":[1000000, 1000000],\"data_offsets\":[0,8]}}", buffer: [UInt8](repeating: 0, count: 8))
        #expect(throws: FormatError.tooLarge(path: "s", elements: 1_000_000_000_000, limit: NPYHeader.maximumBytes / 8)) { try Safetensors.decode(hugeShape, path: "s") }
        // Unsupported dtypes.
        let bf16 = image("{\"x\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", buffer: [UInt8](repeating: 0, count: 8))
        #expect(throws: FormatError.unsupportedDType(path: "d", dtype: "BF16 (tensor 'x')")) { try Safetensors.decode(bf16, path: "d") }
    }
}
