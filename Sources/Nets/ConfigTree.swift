import Formats
import Foundation

/// Reading a `collapse train` config: the TOML tree is Formats' `TOMLValue` (shared with `collapse run`);
/// its errors become `NetsError.invalidConfig` naming the file or the override.
enum ConfigTree {
    static func parse(_ text: String, source: String) throws(NetsError) -> [String: TOMLValue] {
        do { return try TOMLValue.parseDocument(text, source: source) } catch {
            throw .invalidConfig(field: source, reason: describe(error))
        }
    }

    /// Reads and parses a config file (a missing file, unreadable file or non-UTF-8 text is named as such).
    static func read(_ url: URL) throws(NetsError) -> [String: TOMLValue] {
        do { return try TOMLValue.readDocument(url) } catch {
            throw .invalidConfig(field: url.path, reason: describe(error))
        }
    }

    /// The value of `key=value` (TOML), a bare word being a string.
    static func parseValue(_ text: String, override: String) throws(NetsError) -> TOMLValue {
        do { return try TOMLValue.parseOverrideValue(text, override: override) } catch {
            throw .invalidConfig(field: override, reason: describe(error))
        }
    }

    private static func describe(_ e: TOMLError) -> String {
        switch e {
        case .syntax(_, let message, let line, let column): "TOML syntax error at line \(line), column \(column): \(message)"
        case .badOverride(_, let reason): reason
        case .unreadable, .notUTF8: e.description
        }
    }
}

/// One `[section]` of a config, with typed reads that name `section.key` in errors.
struct ConfigSection {
    let name: String
    let values: [String: TOMLValue]

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
