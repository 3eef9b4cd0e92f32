import TOMLKit

/// A TOML document as a plain Swift tree (TOMLKit's tables are reference types over a C++ document),
/// with typed accessors that throw `NetsError.invalidConfig` naming `section.key`.
enum ConfigNode: Equatable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case array([ConfigNode])
    case table([String: ConfigNode])
    case other(String)

    var typeName: String {
        switch self {
        case .int(let v): "the integer \(v)"
        case .double(let v): "the number \(v)"
        case .bool(let v): "the boolean \(v)"
        case .string(let v): "the string \"\(v)\""
        case .array(let a): "an array of \(a.count) element(s)"
        case .table: "a table"
        case .other(let s): s
        }
    }

    static func parse(_ text: String, source: String) throws(NetsError) -> [String: ConfigNode] {
        do {
            return convert(try TOMLTable(string: text))
        } catch let e as TOMLParseError {
            throw .invalidConfig(field: source, reason: "TOML syntax error at line \(e.source.begin.line), column \(e.source.begin.column): \(e.description)")
        } catch {
            throw .invalidConfig(field: source, reason: "\(error)")
        }
    }

    /// The value of `key=value` (TOML), a bare word being a string.
    static func parseValue(_ text: String, override: String) throws(NetsError) -> ConfigNode {
        if let t = try? TOMLTable(string: "v = \(text)"), let v = convert(t)["v"] { return v }
        let bare = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_-./~+:".unicodeScalars.contains($0)
        }
        guard bare else { throw .invalidConfig(field: override, reason: "'\(text)' is not a TOML value (quote strings)") }
        return .string(text)
    }

    private static func convert(_ table: TOMLTable) -> [String: ConfigNode] {
        var out: [String: ConfigNode] = [:]
        for key in table.keys { if let v = table[key] { out[key] = convert(v) } }
        return out
    }

    private static func convert(_ v: TOMLValueConvertible) -> ConfigNode {
        switch v.type {
        case .int: .int(v.int!)
        case .double: .double(v.double!)
        case .bool: .bool(v.bool!)
        case .string: .string(v.string!)
        case .array: .array(v.array!.map { convert($0) })
        case .table: .table(convert(v.table!))
        case .date, .time, .dateTime: .other("a date/time")
        }
    }
}

/// One `[section]` of a config, with typed reads that name `section.key` in errors.
struct ConfigSection {
    let name: String
    let values: [String: ConfigNode]

    func rejectUnknown(_ keys: [String]) throws(NetsError) {
        for k in values.keys.sorted() where !keys.contains(k) {
            throw .invalidConfig(field: "\(name).\(k)", reason: "unknown key; [\(name)] takes \(keys.joined(separator: ", "))")
        }
    }

    private func field(_ k: String) -> String { "\(name).\(k)" }

    func int(_ k: String, default d: Int) throws(NetsError) -> Int {
        guard let v = values[k] else { return d }
        guard case .int(let i) = v else { throw .invalidConfig(field: field(k), reason: "expected an integer, found \(v.typeName)") }
        return i
    }

    func double(_ k: String, default d: Double) throws(NetsError) -> Double {
        guard let v = values[k] else { return d }
        switch v {
        case .double(let x): return x
        case .int(let i): return Double(i)
        default: throw .invalidConfig(field: field(k), reason: "expected a number, found \(v.typeName)")
        }
    }

    func optionalDouble(_ k: String) throws(NetsError) -> Double? {
        values[k] == nil ? nil : try double(k, default: 0)
    }

    func bool(_ k: String, default d: Bool) throws(NetsError) -> Bool {
        guard let v = values[k] else { return d }
        guard case .bool(let b) = v else { throw .invalidConfig(field: field(k), reason: "expected true or false, found \(v.typeName)") }
        return b
    }

    func string(_ k: String, default d: String) throws(NetsError) -> String {
        guard let v = values[k] else { return d }
        guard case .string(let s) = v else { throw .invalidConfig(field: field(k), reason: "expected a string, found \(v.typeName)") }
        return s
    }

    func choice<T: RawRepresentable & CaseIterable>(_ k: String, default d: T) throws(NetsError) -> T where T.RawValue == String {
        let s = try string(k, default: d.rawValue)
        guard let v = T(rawValue: s) else {
            throw .invalidConfig(field: field(k), reason: "'\(s)' is not one of \(T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return v
    }

    func ints(_ k: String, default d: [Int]) throws(NetsError) -> [Int] {
        guard let v = values[k] else { return d }
        guard case .array(let a) = v else { throw .invalidConfig(field: field(k), reason: "expected an array of integers, found \(v.typeName)") }
        var out: [Int] = []
        for e in a {
            guard case .int(let i) = e else { throw .invalidConfig(field: field(k), reason: "expected integers, found \(e.typeName)") }
            out.append(i)
        }
        return out
    }
}

/// TOML literals for the resolved config.
enum TOMLText {
    static func double(_ x: Double) -> String { x.isFinite ? "\(x)" : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")) }
    static func ints(_ a: [Int]) -> String { "[" + a.map(String.init).joined(separator: ", ") + "]" }
    static func string(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
