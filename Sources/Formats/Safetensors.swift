import Foundation

/// Hugging Face `.safetensors` files: an 8-byte little-endian u64 header length N, N bytes of JSON
/// `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …, "__metadata__": {…}}`,
/// then the byte buffer; offsets are relative to the buffer, elements little-endian, C order.
///
/// Reads F32, F64, I32, I64 and U8 (others throw `unsupportedDType`). Validated before anything is
/// allocated from it: the header length against the file size and a 100 MB cap (the reference
/// implementation's limit), the JSON's structure, every tensor's offsets within the buffer and equal
/// to Π shape · dtype size (overflow-checked), and no two tensors overlapping.
public enum Safetensors {
    /// The reference implementation's cap on the JSON header size.
    public static let maximumHeaderBytes = 100_000_000

    /// Every tensor, in data order (by begin offset), without `__metadata__`.
    public static func read(_ url: URL) throws -> [(name: String, array: NDArray)] {
        try decode(mappedContents(of: url), path: url.path)
    }

    /// Decodes a whole `.safetensors` image; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> [(name: String, array: NDArray)] {
        try data.withUnsafeBytes { bytes -> [(name: String, array: NDArray)] in
            guard bytes.count >= 8 else { throw FormatError.truncated(path: path, expectedBytes: 8, foundBytes: bytes.count) }
            let declared = bytes.loadUnaligned(as: UInt64.self).littleEndian
            guard declared <= UInt64(maximumHeaderBytes) else {
                throw FormatError.tooLarge(path: path, elements: Int(clamping: declared), limit: maximumHeaderBytes)
            }
            let headerLength = Int(declared)
            guard bytes.count >= 8 + headerLength else {
                throw FormatError.truncated(path: path, expectedBytes: 8 + headerLength, foundBytes: bytes.count)
            }
            let json = Data(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)]))
            let infos = try parseHeader(json, path: path)
            let buffer = UnsafeRawBufferPointer(rebasing: bytes[(8 + headerLength)...])

            var result: [(name: String, array: NDArray, begin: Int)] = []
            for (name, info) in infos {
                let dtype = try info.dtypeValue(path: path, name: name)
                guard info.shape.allSatisfy({ $0 >= 0 }) else {
                    throw FormatError.badHeader(path: path, reason: "tensor '\(name)' has a negative dimension in \(info.shape)")
                }
                guard info.data_offsets.count == 2 else {
                    throw FormatError.badHeader(path: path, reason: "tensor '\(name)': data_offsets must be [begin, end]")
                }
                let (begin, end) = (info.data_offsets[0], info.data_offsets[1])
                guard 0 <= begin, begin <= end else {
                    throw FormatError.badHeader(path: path, reason: "tensor '\(name)': data_offsets [\(begin), \(end)] are not an interval")
                }
                guard end <= buffer.count else {
                    throw FormatError.truncated(path: path, expectedBytes: 8 + headerLength + end, foundBytes: bytes.count)
                }
                let byteCount = try checkedByteCount(shape: info.shape, elementSize: dtype.size, path: path, limit: NPYHeader.maximumBytes)
                guard byteCount == end - begin else {
                    throw FormatError.badHeader(path: path, reason: "tensor '\(name)': shape \(info.shape) of \(info.dtype) needs \(byteCount) bytes, data_offsets span \(end - begin)")
                }
                let elements = ArrayData.decode(UnsafeRawBufferPointer(rebasing: buffer[begin..<end]),
                                                dtype: dtype, count: byteCount / dtype.size)
                result.append((name, NDArray(shape: info.shape, data: elements), begin))
            }
            result.sort { ($0.begin, $0.name) < ($1.begin, $1.name) }
            var previousEnd = 0
            for r in result {
                guard r.begin >= previousEnd else {
                    throw FormatError.badHeader(path: path, reason: "tensor '\(r.name)' overlaps the tensor before it in the buffer")
                }
                previousEnd = r.begin + r.array.count * r.array.dtype.size
            }
            return result.map { ($0.name, $0.array) }
        }
    }

    /// The `.safetensors` image of `arrays`, stored in the given order, header padded to 8 bytes.
    public static func encode(_ arrays: [(name: String, array: NDArray)]) throws -> Data {
        var header = "{"
        var offset = 0
        var seen = Set<String>()
        for (k, (name, a)) in arrays.enumerated() {
            guard !name.isEmpty, name != "__metadata__", seen.insert(name).inserted else {
                throw FormatError.invalidContent(path: "safetensors", reason: "tensor name '\(name)' is empty, reserved or repeated")
            }
            let bytes = a.count * a.dtype.size
            let nameJSON = String(decoding: try JSONEncoder().encode(name), as: UTF8.self)
            header += (k > 0 ? "," : "") + "\(nameJSON):{\"dtype\":\"\(a.dtype.safetensorsName)\",\"shape\":[\(a.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            offset += bytes
        }
        header += "}"
        var text = Array(header.utf8)
        text += [UInt8](repeating: 0x20, count: (8 - text.count % 8) % 8)
        var out = Data()
        withUnsafeBytes(of: UInt64(text.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: text)
        for (_, a) in arrays { a.data.appendBytes(to: &out) }
        return out
    }

    /// Writes `arrays` as a `.safetensors` file, atomically.
    public static func write(_ arrays: [(name: String, array: NDArray)], to url: URL) throws {
        try AtomicFile.write(encode(arrays), to: url)
    }

    /// One tensor's header entry.
    struct Info: Decodable {
        var dtype: String
        var shape: [Int]
        var data_offsets: [Int]

        func dtypeValue(path: String, name: String) throws -> DType {
            switch dtype {
            case "F32": .float32
            case "F64": .float64
            case "I32": .int32
            case "I64": .int64
            case "U8": .uint8
            default: throw FormatError.unsupportedDType(path: path, dtype: "\(dtype) (tensor '\(name)')")
            }
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The tensors of the JSON header, `__metadata__` skipped (but required to be an object if present).
    private struct Header: Decodable {
        var tensors: [(String, Info)] = []
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            for key in c.allKeys {
                if key.stringValue == "__metadata__" {
                    _ = try c.decode([String: String].self, forKey: key)
                } else {
                    tensors.append((key.stringValue, try c.decode(Info.self, forKey: key)))
                }
            }
        }
    }

    static func parseHeader(_ json: Data, path: String) throws -> [(String, Info)] {
        do {
            return try JSONDecoder().decode(Header.self, from: json).tensors
        } catch let error as DecodingError {
            if case .dataCorrupted(let c) = error, c.codingPath.isEmpty, (try? JSONSerialization.jsonObject(with: json)) != nil {
                // Foundation reports a non-integer where an Int belongs as corrupt JSON; say what it is.
                throw FormatError.badHeader(path: path, reason: "JSON header: a value has the wrong type (shape and data_offsets must be integer arrays, dtype a string, __metadata__ a string map)")
            }
            throw FormatError.badHeader(path: path, reason: "JSON header: \(describe(error))")
        } catch {
            throw FormatError.badHeader(path: path, reason: "JSON header: \(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map(\.stringValue).joined(separator: ".")
            return (p.isEmpty ? "" : "at \(p): ") + c.debugDescription
        }
        switch error {
        case .dataCorrupted(let c): return "not valid JSON (\(at(c)))"
        case .keyNotFound(let k, let c): return "missing key '\(k.stringValue)' \(at(c))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return at(c)
        @unknown default: return "\(error)"
        }
    }
}

extension DType {
    /// The safetensors dtype name (`F32`, `F64`, `I32`, `I64`, `U8`).
    public var safetensorsName: String {
        switch self {
        case .float32: "F32"
        case .float64: "F64"
        case .int32: "I32"
        case .int64: "I64"
        case .uint8: "U8"
        }
    }
}
