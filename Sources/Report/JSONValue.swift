import Foundation
import Formats

/// A JSON document built in code and written with stable key order, for `summary.json`, `--json` output
/// and anything else a script reads. Non-finite numbers are written as `null` (JSON has no NaN).
public indirect enum JSONValue: Equatable, Sendable, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral,
    ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Keys keep their insertion order.
    case object([(String, JSONValue)])

    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(_ v: Double?) { self = v.map { .number($0) } ?? .null }
    public init(_ v: [Double]) { self = .array(v.map { .number($0) }) }

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

    /// Member `key` of an object (nil otherwise).
    public subscript(key: String) -> JSONValue? {
        if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
        return nil
    }

    /// Sets or appends member `key` of an object.
    public mutating func set(_ key: String, _ value: JSONValue) {
        guard case .object(var kv) = self else { preconditionFailure("set on a non-object JSON value") }
        if let i = kv.firstIndex(where: { $0.0 == key }) { kv[i].1 = value } else { kv.append((key, value)) }
        self = .object(kv)
    }

    /// The JSON text; `indent` spaces per level (0 = one line).
    public func serialized(indent: Int = 2) -> String {
        var out = ""
        write(into: &out, level: 0, indent: indent)
        return out
    }

    private func write(into out: inout String, level: Int, indent: Int) {
        let nl = indent > 0 ? "\n" : ""
        let pad = String(repeating: " ", count: indent * (level + 1))
        let closePad = String(repeating: " ", count: indent * level)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x):
            if !x.isFinite { out += "null" }
            else if x == x.rounded(), abs(x) < 1e15 { out += String(Int64(x)) }
            else { out += "\(x)" }
        case .string(let s): out += JSONValue.quote(s)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            let scalar = a.allSatisfy { if case .number = $0 { true } else { false } }
            if scalar {
                out += "[" + a.map { $0.serialized(indent: 0) }.joined(separator: ", ") + "]"
                return
            }
            out += "[" + nl
            for (i, v) in a.enumerated() {
                out += pad
                v.write(into: &out, level: level + 1, indent: indent)
                out += (i + 1 < a.count ? "," : "") + nl
            }
            out += closePad + "]"
        case .object(let kv):
            if kv.isEmpty { out += "{}"; return }
            out += "{" + nl
            for (i, (k, v)) in kv.enumerated() {
                out += pad + JSONValue.quote(k) + (indent > 0 ? ": " : ":")
                v.write(into: &out, level: level + 1, indent: indent)
                out += (i + 1 < kv.count ? "," : "") + nl
            }
            out += closePad + "}"
        }
    }

    /// A JSON string literal: TOML's basic-string escapes are a subset of JSON's, so one escaper serves both.
    static func quote(_ s: String) -> String { TOMLLiteral.string(s) }

    /// Writes the document atomically, with a trailing newline.
    public func write(to url: URL) throws { try AtomicFile.write(serialized() + "\n", to: url) }
}
