/// The subset of Python literals that `.npy` headers use: dicts with string keys, strings, booleans,
/// integers (with the `L` suffix that Python 2 wrote), `None`, and tuples or lists of these.
enum PythonLiteral: Equatable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case dict([String: PythonLiteral])

    var description: String {
        switch self {
        case .string(let s): "'\(s)'"
        case .int(let i): String(i)
        case .bool(let b): b ? "True" : "False"
        case .none: "None"
        case .tuple(let t): "(" + t.map(\.description).joined(separator: ", ") + ")"
        case .dict(let d): "{" + d.map { "'\($0.key)': \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A recursive-descent parser for `PythonLiteral`, over the UTF-8 bytes of the text.
/// Nesting is limited to 32 levels so that hostile input cannot exhaust the stack.
struct PythonLiteralParser {
    struct Failure: Error { var message: String }

    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0

    init(text: String) { bytes = Array(text.utf8) }

    /// Parses one literal that must span the whole text (surrounding whitespace allowed).
    mutating func parseTopLevel() throws -> PythonLiteral {
        let v = try parseValue()
        skipSpace()
        guard i == bytes.count else { throw Failure(message: "unexpected text after the literal at byte \(i)") }
        return v
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
    }

    private func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard peek() == c else {
            throw Failure(message: "expected '\(Character(Unicode.Scalar(c)))' at byte \(i)")
        }
        i += 1
    }

    private mutating func parseValue() throws -> PythonLiteral {
        skipSpace()
        guard let c = peek() else { throw Failure(message: "unexpected end of header") }
        switch c {
        case UInt8(ascii: "{"): return try nested { try $0.parseDict() }
        case UInt8(ascii: "("): return try nested { try $0.parseSequence(close: UInt8(ascii: ")")) }
        case UInt8(ascii: "["): return try nested { try $0.parseSequence(close: UInt8(ascii: "]")) }
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseInt())
        default:
            for (word, value) in [("True", PythonLiteral.bool(true)), ("False", .bool(false)), ("None", .none)] {
                let w = Array(word.utf8)
                if i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w {
                    i += w.count
                    return value
                }
            }
            throw Failure(message: "unexpected character '\(Character(Unicode.Scalar(c)))' at byte \(i)")
        }
    }

    private mutating func nested(_ body: (inout PythonLiteralParser) throws -> PythonLiteral) throws -> PythonLiteral {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 32 else { throw Failure(message: "literal nested too deeply") }
        return try body(&self)
    }

    private mutating func parseDict() throws -> PythonLiteral {
        try expect(UInt8(ascii: "{"))
        var d: [String: PythonLiteral] = [:]
        while true {
            skipSpace()
            if peek() == UInt8(ascii: "}") { i += 1; return .dict(d) }
            guard case .string(let key) = try parseValue() else { throw Failure(message: "dict keys must be strings (byte \(i))") }
            try expect(UInt8(ascii: ":"))
            let value = try parseValue()
            guard d[key] == nil else { throw Failure(message: "duplicate key '\(key)'") }
            d[key] = value
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "}"))
            return .dict(d)
        }
    }

    private mutating func parseSequence(close: UInt8) throws -> PythonLiteral {
        i += 1  // the opening bracket
        var items: [PythonLiteral] = []
        while true {
            skipSpace()
            if peek() == close { i += 1; return .tuple(items) }
            items.append(try parseValue())
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            try expect(close)
            return .tuple(items)
        }
    }

    private mutating func parseString() throws -> String {
        let quote = bytes[i]
        i += 1
        var out: [UInt8] = []
        while let c = peek() {
            i += 1
            if c == quote { return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                guard let e = peek() else { break }
                i += 1
                out.append(e)  // the escapes that occur in dtype strings are \\ \' \"
            } else {
                out.append(c)
            }
        }
        throw Failure(message: "unterminated string")
    }

    private mutating func parseInt() throws -> Int {
        var negative = false
        if peek() == UInt8(ascii: "-") { negative = true; i += 1 }
        var value = 0
        var digits = 0
        while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw Failure(message: "integer too large at byte \(i)") }
            value = s
            digits += 1
            i += 1
        }
        guard digits > 0 else { throw Failure(message: "expected digits at byte \(i)") }
        if peek() == UInt8(ascii: "L") || peek() == UInt8(ascii: "l") { i += 1 }
        return negative ? -value : value
    }
}
