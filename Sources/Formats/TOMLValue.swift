import Foundation

/// Why a TOML config could not be read.
public enum TOMLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The document is not TOML, or uses a part of TOML the toolkit does not read (`TOMLParser`): the
    /// message, and the line and column (1-based) where the problem starts.
    case syntax(source: String, message: String, line: Int, column: Int)
    /// The value part of a `section.key=value` override is not a TOML value.
    case badOverride(text: String, reason: String)
    /// The file cannot be read ("no such file", "permission denied", "is a directory", too large).
    case unreadable(path: String, reason: String)
    /// The file is not UTF-8 text: the first invalid byte, and its line and column.
    case notUTF8(path: String, byte: UInt8, line: Int, column: Int)

    /// One line a person can act on.
    public var description: String {
        switch self {
        case .syntax(let s, let m, let l, let c): "\(s):\(l):\(c): TOML syntax error: \(m)"
        case .badOverride(let t, let r): "--set \(t): \(r)"
        case .unreadable(let p, let r): "\(p): cannot read the config: \(r)"
        case .notUTF8(let p, let b, let l, let c):
            "\(p):\(l):\(c): not UTF-8 text (byte 0x\(String(b, radix: 16, uppercase: true)) starts no UTF-8 character); save the file as UTF-8"
        }
    }
}

/// A TOML value as a plain Swift tree, so that overrides can be applied and validation can walk it. The
/// config parsers of the UFM (`collapse run`) and of the networks (`collapse train`) both read their
/// files through it; `TOMLParser` builds it.
public enum TOMLValue: Equatable, Sendable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case array([TOMLValue])
    case table([String: TOMLValue])

    /// The TOML type name, for error messages.
    public var typeName: String {
        switch self {
        case .int(let v): "integer \(v)"
        case .double(let v): "floating-point number \(v)"
        case .bool(let v): "boolean \(v)"
        case .string(let v): "string \"\(v)\""
        case .array(let a): "an array of \(a.count) element(s)"
        case .table: "a table"
        }
    }

    /// The largest config file read (16 MiB; the toolkit's configs are a few hundred bytes).
    public static let maximumFileBytes = 1 << 24

    /// Reads and parses a config file. A missing, unreadable or oversized file is `unreadable` (naming
    /// the path and the cause), a file that is not UTF-8 `notUTF8`, bad TOML `syntax`.
    public static func readDocument(_ url: URL) throws(TOMLError) -> [String: TOMLValue] {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .unreadable(path: path, reason: "no such file") }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "is a directory") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if let size, size > maximumFileBytes {
            throw .unreadable(path: path, reason: "\(size) bytes, more than a config can be (\(maximumFileBytes) bytes)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.isReadableFile(atPath: path) ? "cannot open" : "permission denied")
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: maximumFileBytes + 1) ?? Data() } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        guard data.count <= maximumFileBytes else { throw .unreadable(path: path, reason: "more than \(maximumFileBytes) bytes, more than a config can be") }
        return try parseDocument(bytes: [UInt8](data), source: path)
    }

    /// Parses UTF-8 bytes as a TOML document; invalid UTF-8 is `notUTF8`, naming the byte's position.
    public static func parseDocument(bytes: [UInt8], source: String) throws(TOMLError) -> [String: TOMLValue] {
        if let bad = UTF8Check.firstInvalid(bytes) {
            let (line, column) = TOMLParser.position(of: bad, in: bytes)
            throw .notUTF8(path: source, byte: bytes[bad], line: line, column: column)
        }
        var parser = TOMLParser(bytes, source: source)
        return try parser.document()
    }

    /// Parses a TOML document into a tree.
    public static func parseDocument(_ text: String, source: String) throws(TOMLError) -> [String: TOMLValue] {
        var parser = TOMLParser(Array(text.utf8), source: source)
        return try parser.document()
    }

    /// Parses the value part of `section.key=value` as TOML; a bare word that is not TOML
    /// (`relu`, `/path/to/file.npz`) is taken as a string.
    public static func parseOverrideValue(_ text: String, override: String) throws(TOMLError) -> TOMLValue {
        var parser = TOMLParser(Array(text.utf8), source: "--set")
        let reason: String
        do { return try parser.wholeValue() } catch {
            if case .syntax(_, let m, _, let c) = error { reason = "column \(c) of the value: \(m)" } else { reason = "\(error)" }
        }
        let bare = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_-./~+:".unicodeScalars.contains($0)
        }
        guard bare else { throw .badOverride(text: override, reason: "'\(text)' is not a TOML value (\(reason); quote strings: key='\"text\"')") }
        return .string(text)
    }
}

/// Rendering of values as TOML literals for the resolved configs.
public enum TOMLLiteral {
    /// A float literal that parses back to the same Double (Swift's shortest round-trip digits, which
    /// always contain '.' or 'e' for finite values).
    public static func double(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return "\(x)"
    }

    /// A basic string: double quotes with backslash escapes (`\"`, `\\`, `\n`, `\t`, `\r`, `\uXXXX` for other
    /// control characters and DEL). The same text is a valid JSON string, which `JSONValue` relies on.
    public static func string(_ s: String) -> String {
        var r = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\t": r += "\\t"
            case "\r": r += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F { r += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16) }
                else { r.unicodeScalars.append(c) }
            }
        }
        return r + "\""
    }

    public static func ints(_ a: [Int]) -> String { "[" + a.map(String.init).joined(separator: ", ") + "]" }
    public static func doubles(_ a: [Double]) -> String { "[" + a.map(double).joined(separator: ", ") + "]" }
}
