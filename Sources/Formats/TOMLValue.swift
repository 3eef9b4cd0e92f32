import TOMLKit

/// Why a TOML config text could not be read.
public enum TOMLError: Error, Equatable, Sendable {
    /// The document is not TOML (TOMLKit's, i.e. toml++'s, message and position).
    case syntax(source: String, message: String, line: Int, column: Int)
    /// The value part of a `section.key=value` override is not a TOML value.
    case badOverride(text: String, reason: String)
}

/// A TOML value detached from TOMLKit (whose tables are reference types over a C++ document), so that
/// overrides can be applied and validation can walk a plain Swift tree. The config parsers of the UFM
/// (`collapse run`) and of the networks (`collapse train`) both read their files through it.
public enum TOMLValue: Equatable, Sendable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case array([TOMLValue])
    case table([String: TOMLValue])
    /// Dates and times, which no key accepts; kept only to name them in an error.
    case other(String)

    /// The TOML type name, for error messages.
    public var typeName: String {
        switch self {
        case .int(let v): "integer \(v)"
        case .double(let v): "floating-point number \(v)"
        case .bool(let v): "boolean \(v)"
        case .string(let v): "string \"\(v)\""
        case .array(let a): "an array of \(a.count) element(s)"
        case .table: "a table"
        case .other(let s): "\(s)"
        }
    }

    /// Parses a TOML document into a tree.
    public static func parseDocument(_ text: String, source: String) throws(TOMLError) -> [String: TOMLValue] {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw .syntax(source: source, message: e.description, line: e.source.begin.line, column: e.source.begin.column)
        } catch {
            throw .syntax(source: source, message: "\(error)", line: 0, column: 0)
        }
        return convert(table)
    }

    /// Parses the value part of `section.key=value` as TOML; a bare word that is not TOML
    /// (`relu`, `/path/to/file.npz`) is taken as a string.
    public static func parseOverrideValue(_ text: String, override: String) throws(TOMLError) -> TOMLValue {
        if let t = try? TOMLTable(string: "v = \(text)"), let v = convert(t)["v"] { return v }
        let bare = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_-./~+:".unicodeScalars.contains($0)
        }
        guard bare else { throw .badOverride(text: override, reason: "'\(text)' is not a TOML value (quote strings: key='\"text\"')") }
        return .string(text)
    }

    private static func convert(_ table: TOMLTable) -> [String: TOMLValue] {
        var out: [String: TOMLValue] = [:]
        for key in table.keys { if let v = table[key] { out[key] = convert(v) } }
        return out
    }

    private static func convert(_ v: TOMLValueConvertible) -> TOMLValue {
        switch v.type {
        case .int: return .int(v.int!)
        case .double: return .double(v.double!)
        case .bool: return .bool(v.bool!)
        case .string: return .string(v.string!)
        case .array: return .array(v.array!.map { convert($0) })
        case .table: return .table(convert(v.table!))
        case .date, .time, .dateTime: return .other("a \(v.type) (\(v.debugDescription))")
        }
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
