/// A strict reader for the part of TOML 1.0 that the toolkit's configs use, written here so that no input
/// can abort the process (the C++ parser used before, toml++ through TOMLKit, asserts on inputs such as
/// `[[[` or `x = [}`). It reads UTF-8 bytes in one pass with bounded recursion and refuses, naming the
/// line and column (1-based, columns counted in characters), everything outside the subset:
///
/// - `key = value` pairs; bare keys (`A–Z a–z 0–9 _ -`), "basic" and 'literal' quoted keys, dotted keys;
/// - `[table]` headers (dotted), each table defined once;
/// - basic strings with the escapes `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`, literal strings;
/// - integers (decimal, `0x`, `0o`, `0b`, `_` between digits, 64-bit), floats (`1.5`, `1e-3`, `inf`,
///   `nan`, finite unless written `inf`), booleans, arrays (several lines, comments, a trailing comma),
///   inline tables `{ a = 1, b = 2 }` on one line;
/// - `#` comments, LF or CRLF line ends, a leading byte-order mark.
///
/// Refused with an error: arrays of tables `[[name]]`, multi-line strings, dates and times, keys or
/// tables defined twice, and nesting deeper than `maximumDepth` levels (a key path or arrays within
/// arrays), which bounds the recursion for any input.
struct TOMLParser {
    /// The deepest nesting of arrays and inline tables, and the longest table path (`a.b.c` is 3).
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private let source: String
    private var i = 0

    init(_ bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    // MARK: - Document

    /// The whole document as a tree of tables.
    mutating func document() throws(TOMLError) -> [String: TOMLValue] {
        var tree = TableBuilder()
        var current: [String] = []
        while true {
            skipBlanks()
            guard i < bytes.count else { return tree.root }
            if atNewline { try newline(); continue }
            if bytes[i] == UInt8(ascii: "#") { try comment(); continue }
            let start = i
            if bytes[i] == UInt8(ascii: "[") {
                if peek(1) == UInt8(ascii: "[") { throw error("arrays of tables ([[name]]) are not supported") }
                i += 1
                let path = try key()
                guard path.count <= Self.maximumDepth else { throw error("table path deeper than \(Self.maximumDepth) levels", at: start) }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "]") else { throw error("expected ']' to close the table header, found \(found)") }
                i += 1
                if let problem = tree.defineTable(path) { throw error(problem, at: start) }
                current = path
            } else {
                let path = try key()
                guard current.count + path.count <= Self.maximumDepth else { throw error("key path deeper than \(Self.maximumDepth) levels", at: start) }
                try keyValueSeparator()
                let v = try value(depth: 0)
                if let problem = tree.insert(v, at: current + path, definedTables: current.count) { throw error(problem, at: start) }
            }
            try endOfLine()
        }
    }

    /// One value filling the whole text (leading and trailing blanks and a trailing comment allowed).
    mutating func wholeValue() throws(TOMLError) -> TOMLValue {
        skipBlanks()
        let v = try value(depth: 0)
        skipBlanks()
        if i < bytes.count && bytes[i] == UInt8(ascii: "#") { try comment() }
        guard i >= bytes.count else { throw error("unexpected \(found) after the value") }
        return v
    }

    // MARK: - Keys

    /// A possibly dotted key: `a`, `a.b`, `"a b".c`; blanks around the dots are allowed.
    private mutating func key() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipBlanks()
            parts.append(try simpleKey())
            guard parts.count <= Self.maximumDepth else { throw error("key path deeper than \(Self.maximumDepth) levels") }
            skipBlanks()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ".") else { return parts }
            i += 1
        }
    }

    private mutating func simpleKey() throws(TOMLError) -> String {
        guard i < bytes.count else { throw error("expected a key, found the end of the input") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return try basicString()
        case UInt8(ascii: "'"): return try literalString()
        default:
            let start = i
            while i < bytes.count, Self.isBareKeyByte(bytes[i]) { i += 1 }
            guard i > start else { throw error("expected a key, found \(found)") }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
    }

    private mutating func keyValueSeparator() throws(TOMLError) {
        skipBlanks()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw error("expected '=' after the key, found \(found)") }
        i += 1
        skipBlanks()
    }

    static func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }

    // MARK: - Values

    private mutating func value(depth: Int) throws(TOMLError) -> TOMLValue {
        guard depth < Self.maximumDepth else { throw error("values nested deeper than \(Self.maximumDepth) levels") }
        guard i < bytes.count else { throw error("expected a value, found the end of the input") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try basicString())
        case UInt8(ascii: "'"): return .string(try literalString())
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "{"): return try inlineTable(depth: depth)
        default: return try scalar()
        }
    }

    private mutating func array(depth: Int) throws(TOMLError) -> TOMLValue {
        i += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlanksCommentsAndNewlines()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            items.append(try value(depth: depth + 1))
            try skipBlanksCommentsAndNewlines()
            guard i < bytes.count else { throw error("expected ',' or ']' in the array, found the end of the input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("expected ',' or ']' in the array, found \(found)")
        }
    }

    private mutating func inlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
        i += 1
        var table = TableBuilder()
        skipBlanks()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return .table([:]) }
        while true {
            skipBlanks()
            let start = i
            let path = try key()
            guard depth + path.count <= Self.maximumDepth else { throw error("key path deeper than \(Self.maximumDepth) levels", at: start) }
            try keyValueSeparator()
            let v = try value(depth: depth + 1)
            if let problem = table.insert(v, at: path, definedTables: 0) { throw error(problem, at: start) }
            skipBlanks()
            guard i < bytes.count else { throw error("expected ',' or '}' in the inline table, found the end of the input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .table(table.root) }
            throw error("expected ',' or '}' in the inline table (which must fit on one line), found \(found)")
        }
    }

    /// Booleans, numbers, `inf` and `nan`: one token of the characters they can contain.
    private mutating func scalar() throws(TOMLError) -> TOMLValue {
        let start = i
        while i < bytes.count, Self.isScalarByte(bytes[i]) { i += 1 }
        guard i > start else { throw error("expected a value, found \(found)") }
        let token = String(decoding: bytes[start..<i], as: UTF8.self)
        switch token {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf", "+inf": return .double(.infinity)
        case "-inf": return .double(-.infinity)
        case "nan", "+nan", "-nan": return .double(.nan)
        default: break
        }
        if let problem = TOMLNumber.problem(token) { throw error(problem, at: start) }
        if let n = TOMLNumber.integer(token) { return .int(n) }
        if TOMLNumber.isInteger(token) { throw error("integer \(token) is outside the 64-bit range", at: start) }
        guard let x = TOMLNumber.float(token) else { throw error("'\(token)' is not a TOML value", at: start) }
        guard x.isFinite else { throw error("\(token) is beyond the range of a 64-bit float", at: start) }
        return .double(x)
    }

    static func isScalarByte(_ c: UInt8) -> Bool {
        isBareKeyByte(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    }

    // MARK: - Strings

    /// `"…"` with escapes; the opening quote is at `i`.
    private mutating func basicString() throws(TOMLError) -> String {
        if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { throw error("multi-line strings (\"\"\") are not supported") }
        let open = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count, !atNewline else { throw error("unterminated string (a string ends on its line)", at: open) }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                try escape(into: &out)
                continue
            }
            guard !Self.isControl(c) else { throw error("control character \(Self.describe(c)) in a string (write it as an escape)") }
            out.append(c)
            i += 1
        }
    }

    private mutating func escape(into out: inout [UInt8]) throws(TOMLError) {
        let at = i
        i += 1
        guard i < bytes.count else { throw error("unterminated string", at: at) }
        let c = bytes[i]
        i += 1
        switch c {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = c == UInt8(ascii: "u") ? 4 : 8
            guard i + digits <= bytes.count,
                  let code = UInt32(String(decoding: bytes[i..<(i + digits)], as: UTF8.self), radix: 16),
                  bytes[i..<(i + digits)].allSatisfy({ Self.isHexDigit($0) }),
                  let scalar = Unicode.Scalar(code)
            else { throw error("\\\(Character(Unicode.Scalar(c))) needs \(digits) hex digits naming a Unicode scalar value", at: at) }
            out.append(contentsOf: String(Character(scalar)).utf8)
            i += digits
        default:
            throw error("unknown escape \\\(Self.describe(c)) (known: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)", at: at)
        }
    }

    /// `'…'`, taken verbatim; the opening quote is at `i`.
    private mutating func literalString() throws(TOMLError) -> String {
        if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { throw error("multi-line strings (''') are not supported") }
        let open = i
        i += 1
        let start = i
        while true {
            guard i < bytes.count, !atNewline else { throw error("unterminated string (a string ends on its line)", at: open) }
            let c = bytes[i]
            if c == UInt8(ascii: "'") { i += 1; return String(decoding: bytes[start..<(i - 1)], as: UTF8.self) }
            guard !Self.isControl(c) else { throw error("control character \(Self.describe(c)) in a string") }
            i += 1
        }
    }

    // MARK: - Blanks, comments, line ends

    private var atNewline: Bool {
        i < bytes.count && (bytes[i] == 0x0A || (bytes[i] == 0x0D && peek(1) == 0x0A))
    }

    private func peek(_ k: Int) -> UInt8? { i + k < bytes.count ? bytes[i + k] : nil }

    private mutating func skipBlanks() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func newline() throws(TOMLError) {
        i += bytes[i] == 0x0D ? 2 : 1
    }

    /// `#` to the end of the line (the line end itself is left).
    private mutating func comment() throws(TOMLError) {
        i += 1
        while i < bytes.count, !atNewline {
            guard !Self.isControl(bytes[i]) else { throw error("control character \(Self.describe(bytes[i])) in a comment") }
            i += 1
        }
    }

    private mutating func skipBlanksCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipBlanks()
            if atNewline { try newline(); continue }
            if i < bytes.count && bytes[i] == UInt8(ascii: "#") { try comment(); continue }
            return
        }
    }

    /// After a header or a key/value pair: blanks, an optional comment, then a line end or the end.
    private mutating func endOfLine() throws(TOMLError) {
        skipBlanks()
        if i < bytes.count && bytes[i] == UInt8(ascii: "#") { try comment() }
        guard i < bytes.count else { return }
        guard atNewline else { throw error("expected the end of the line, found \(found)") }
        try newline()
    }

    /// Control characters TOML allows in no string or comment: U+0000–U+001F except tab, and DEL.
    static func isControl(_ c: UInt8) -> Bool { (c < 0x20 && c != 0x09) || c == 0x7F }

    static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }

    // MARK: - Errors

    /// What is at `i`, for messages: `'x'`, `a new line`, `the end of the input`, `U+0001`.
    private var found: String {
        guard i < bytes.count else { return "the end of the input" }
        if atNewline || bytes[i] == 0x0D { return "a line end" }
        return Self.describe(bytes[i], following: bytes[(i + 1)...])
    }

    static func describe(_ c: UInt8, following rest: ArraySlice<UInt8> = []) -> String {
        if c < 0x20 || c == 0x7F { return "U+" + String(repeating: "0", count: c < 0x10 ? 3 : 2) + String(c, radix: 16, uppercase: true) }
        if c < 0x80 { return "'\(Character(Unicode.Scalar(c)))'" }
        let length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
        let text = String(decoding: [c] + rest.prefix(length - 1), as: UTF8.self)
        return "'\(text)'"
    }

    private func error(_ message: String, at offset: Int? = nil) -> TOMLError {
        let (line, column) = TOMLParser.position(of: min(offset ?? i, bytes.count), in: bytes)
        return .syntax(source: source, message: message, line: line, column: column)
    }

    /// Line and column (1-based; the column counts characters, i.e. UTF-8 lead bytes) of a byte offset.
    static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0
        for k in 0..<offset where bytes[k] == 0x0A { line += 1; lineStart = k + 1 }
        var column = 1
        for k in lineStart..<offset where bytes[k] & 0xC0 != 0x80 { column += 1 }
        return (line, column)
    }
}

/// The tables of one document (or one inline table) as they are defined, with what each path is, so
/// that a table or key defined twice is refused (TOML 1.0, "Table"): a `[header]` table may be
/// defined once; a table made by dotted keys may be extended only by dotted keys; an inline table and
/// every other value are closed.
struct TableBuilder {
    enum Kind { case header, implicit, dotted, closed }
    private(set) var root: [String: TOMLValue] = [:]
    private var kinds: [[String]: Kind] = [:]

    /// A `[path]` header; returns the problem, or nil.
    mutating func defineTable(_ path: [String]) -> String? {
        for n in 1..<path.count {
            switch kinds[Array(path[0..<n])] {
            case nil: kinds[Array(path[0..<n])] = .implicit
            case .closed: return "'\(Self.name(path[0..<n]))' is a value, not a table"
            case .header, .implicit, .dotted: break
            }
        }
        switch kinds[path] {
        case nil, .implicit: kinds[path] = .header
        case .header: return "table [\(Self.name(path[...]))] is defined twice"
        case .dotted: return "table [\(Self.name(path[...]))] was already defined by dotted keys"
        case .closed: return "'\(Self.name(path[...]))' is already defined as a value"
        }
        Self.put(nil, at: path[...], into: &root)
        return nil
    }

    /// `path = value`, where the first `definedTables` parts name the current `[header]` table and the
    /// rest is the (possibly dotted) key. Returns the problem, or nil.
    mutating func insert(_ value: TOMLValue, at path: [String], definedTables: Int) -> String? {
        for n in (definedTables + 1)..<path.count {
            let prefix = Array(path[0..<n])
            switch kinds[prefix] {
            case nil: kinds[prefix] = .dotted
            case .dotted: break
            case .header, .implicit: return "table '\(Self.name(prefix[...]))' is defined by a [header]; dotted keys cannot extend it"
            case .closed: return "'\(Self.name(prefix[...]))' is a value, not a table"
            }
        }
        guard kinds[path] == nil else { return "key '\(Self.name(path[...]))' is defined twice" }
        kinds[path] = .closed
        Self.put(value, at: path[...], into: &root)
        return nil
    }

    /// Stores `value` (or, for nil, an empty table if there is nothing yet) at `path`, creating tables.
    private static func put(_ value: TOMLValue?, at path: ArraySlice<String>, into table: inout [String: TOMLValue]) {
        let k = path.first!
        if path.count == 1 {
            if let value { table[k] = value } else if table[k] == nil { table[k] = .table([:]) }
            return
        }
        var sub: [String: TOMLValue] = [:]
        if case .table(let t)? = table[k] { sub = t }
        table[k] = nil  // the only reference, so the subtable is edited in place
        put(value, at: path.dropFirst(), into: &sub)
        table[k] = .table(sub)
    }

    static func name(_ path: ArraySlice<String>) -> String {
        path.map { k in k.utf8.allSatisfy(TOMLParser.isBareKeyByte) && !k.isEmpty ? k : TOMLLiteral.string(k) }.joined(separator: ".")
    }
}

/// TOML number syntax (TOML 1.0, "Integer" and "Float"), checked before the digits are converted.
enum TOMLNumber {
    /// Why `token` is not a TOML number, or nil when it is one (the range is checked on conversion).
    static func problem(_ token: String) -> String? {
        let b = Array(token.utf8)
        if b.count >= 10, b[4] == UInt8(ascii: "-"), b[0..<4].allSatisfy(isDigit) { return "dates and times are not supported ('\(token)')" }
        if b.contains(UInt8(ascii: ":")) { return "dates and times are not supported ('\(token)')" }
        if b.count > 2, b[0] == UInt8(ascii: "0"), [UInt8(ascii: "x"), UInt8(ascii: "o"), UInt8(ascii: "b")].contains(b[1]) {
            let digit: (UInt8) -> Bool = switch b[1] {
            case UInt8(ascii: "x"): TOMLParser.isHexDigit
            case UInt8(ascii: "o"): { $0 >= 0x30 && $0 <= 0x37 }
            default: { $0 == 0x30 || $0 == 0x31 }
            }
            return digitsWithUnderscores(b[2...], digit) ? nil : "'\(token)' is not a valid \(["x": "hexadecimal", "o": "octal", "b": "binary"][String(UnicodeScalar(b[1]))]!) integer"
        }
        var k = 0
        if k < b.count, b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-") { k += 1 }
        let intStart = k
        while k < b.count, isDigit(b[k]) || b[k] == UInt8(ascii: "_") { k += 1 }
        let intPart = b[intStart..<k]
        guard digitsWithUnderscores(intPart, isDigit) else { return "'\(token)' is not a TOML value (a number needs digits, with '_' only between digits; quote strings)" }
        if intPart.count > 1 && intPart.first == UInt8(ascii: "0") { return "'\(token)': leading zeros are not allowed" }
        if k < b.count, b[k] == UInt8(ascii: ".") {
            let s = k + 1
            k = s
            while k < b.count, isDigit(b[k]) || b[k] == UInt8(ascii: "_") { k += 1 }
            guard digitsWithUnderscores(b[s..<k], isDigit) else { return "'\(token)': a '.' must have digits on both sides" }
        }
        if k < b.count, b[k] == UInt8(ascii: "e") || b[k] == UInt8(ascii: "E") {
            k += 1
            if k < b.count, b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-") { k += 1 }
            let s = k
            while k < b.count, isDigit(b[k]) || b[k] == UInt8(ascii: "_") { k += 1 }
            guard digitsWithUnderscores(b[s..<k], isDigit) else { return "'\(token)': the exponent needs digits" }
        }
        return k == b.count ? nil : "'\(token)' is not a TOML value (quote strings: \"text\")"
    }

    /// Whether a checked token is an integer (no '.', no exponent, not `inf`/`nan`).
    static func isInteger(_ token: String) -> Bool {
        let t = token.utf8
        if t.count > 2, t.first == UInt8(ascii: "0"), let x = t.dropFirst().first, [UInt8(ascii: "x"), UInt8(ascii: "o"), UInt8(ascii: "b")].contains(x) { return true }
        return !t.contains(UInt8(ascii: ".")) && !t.contains(UInt8(ascii: "e")) && !t.contains(UInt8(ascii: "E"))
    }

    /// The value of a checked integer token, or nil when it is not an integer or is out of range.
    static func integer(_ token: String) -> Int? {
        guard isInteger(token) else { return nil }
        let digits = token.replacingOccurrences(of: "_", with: "")
        if digits.hasPrefix("0x") { return Int(digits.dropFirst(2), radix: 16) }
        if digits.hasPrefix("0o") { return Int(digits.dropFirst(2), radix: 8) }
        if digits.hasPrefix("0b") { return Int(digits.dropFirst(2), radix: 2) }
        return Int(digits)
    }

    /// The value of a checked float token (possibly infinite when out of range).
    static func float(_ token: String) -> Double? { Double(token.replacingOccurrences(of: "_", with: "")) }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Non-empty, digits only, each '_' between two digits.
    private static func digitsWithUnderscores(_ s: ArraySlice<UInt8>, _ digit: (UInt8) -> Bool) -> Bool {
        guard let first = s.first, let last = s.last, digit(first), digit(last) else { return false }
        var previousUnderscore = false
        for c in s {
            if c == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else {
                guard digit(c) else { return false }
                previousUnderscore = false
            }
        }
        return true
    }
}

/// UTF-8 validity (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
enum UTF8Check {
    /// The offset of the first byte that starts no valid UTF-8 sequence, or nil when all are valid.
    static func firstInvalid(_ b: [UInt8]) -> Int? {
        var k = 0
        while k < b.count {
            let c = b[k]
            if c < 0x80 { k += 1; continue }
            let length: Int, low: UInt8, high: UInt8
            switch c {
            case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
            case 0xED: (length, low, high) = (3, 0x80, 0x9F)
            case 0xE1...0xEF: (length, low, high) = (3, 0x80, 0xBF)
            case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
            case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
            case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
            default: return k
            }
            guard k + length <= b.count, (low...high).contains(b[k + 1]) else { return k }
            for j in 2..<max(length, 2) where b[k + j] & 0xC0 != 0x80 { return k }
            k += length
        }
        return nil
    }
}
