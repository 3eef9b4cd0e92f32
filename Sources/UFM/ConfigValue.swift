import TOMLKit

/// A TOML value detached from TOMLKit (whose tables are reference types over a C++ document), so that
/// overrides can be applied and validation can walk a plain Swift tree.
enum ConfigValue: Equatable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case array([ConfigValue])
    case table([String: ConfigValue])
    /// Dates and times, which no key accepts; kept only to name them in an error.
    case other(String)

    /// The TOML type name, for error messages.
    var typeName: String {
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
    static func parseDocument(_ text: String, source: String) throws -> [String: ConfigValue] {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError.syntax(source: source, message: e.description, line: e.source.begin.line, column: e.source.begin.column)
        }
        return convert(table)
    }

    /// Parses the value part of `section.key=value` as TOML; a bare word that is not TOML
    /// (`relu`, `/path/to/file.npz`) is taken as a string.
    static func parseOverrideValue(_ text: String, override: String) throws -> ConfigValue {
        if let t = try? TOMLTable(string: "v = \(text)"), let v = convert(t)["v"] { return v }
        let bare = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_-./~+:".unicodeScalars.contains($0)
        }
        guard bare else { throw ConfigError.badOverride(text: override, reason: "'\(text)' is not a TOML value (quote strings: key='\"text\"')") }
        return .string(text)
    }

    private static func convert(_ table: TOMLTable) -> [String: ConfigValue] {
        var out: [String: ConfigValue] = [:]
        for key in table.keys { if let v = table[key] { out[key] = convert(v) } }
        return out
    }

    private static func convert(_ v: TOMLValueConvertible) -> ConfigValue {
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

/// Rendering of values as TOML literals for the resolved config.
enum TOMLLiteral {
    /// A float literal that parses back to the same Double (Swift's shortest round-trip digits, which
    /// always contain '.' or 'e' for finite values).
    static func double(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return "\(x)"
    }

    static func string(_ s: String) -> String {
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

    static func ints(_ a: [Int]) -> String { "[" + a.map(String.init).joined(separator: ", ") + "]" }
    static func doubles(_ a: [Double]) -> String { "[" + a.map(double).joined(separator: ", ") + "]" }
}
