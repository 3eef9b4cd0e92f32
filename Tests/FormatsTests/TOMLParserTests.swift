import Foundation
import Testing
@testable import Formats

/// The TOML reader: the subset it accepts gives the values TOML 1.0 defines; everything else is an
/// error naming the line and column, never a crash.
@Suite("TOML parser")
struct TOMLParserTests {
    func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] { try TOMLValue.parseDocument(text, source: "t.toml") }

    /// The syntax error's (line, column), or nil when the text parses.
    func position(_ text: String) -> (Int, Int)? {
        do { _ = try parse(text); return nil } catch {
            guard case .syntax(_, _, let l, let c) = error else { return nil }
            return (l, c)
        }
    }

    @Test("values of every accepted kind")
    func values() throws {
        let doc = try parse("# comment\na = 1\nb = 0xff # hex\n")
        #expect(doc == ["a": .int(1), "b": .int(255)])
        let t = try parse("""
        \u{FEFF}[model]\r
        classes = 1_000
        big = 9223372036854775807
        small = -9223372036854775808
        oct = 0o17
        bin = 0b101
        x = 1.5e-3
        y = -2E2
        z = +0.5
        inf1 = -inf
        n = nan
        yes = true
        no = false
        s = "tab\\t quote\\" u\\u00e9 U\\U0001F600"
        lit = 'C:\\path\\no escapes'
        empty = ""
        widths = [ 32, 16,
          8, # trailing comma and comments
        ]
        nested = [[1, 2], ["a"], []]
        inline = { a = 1, b.c = "x" }
        "quoted key" = 'v'
        dotted.key = 2
        [model.sub]
        k = []
        """)
        guard case .table(let m)? = t["model"] else { Issue.record("no [model]"); return }
        #expect(m["classes"] == .int(1000))
        #expect(m["big"] == .int(.max) && m["small"] == .int(.min))
        #expect(m["oct"] == .int(15) && m["bin"] == .int(5))
        #expect(m["x"] == .double(1.5e-3) && m["y"] == .double(-200) && m["z"] == .double(0.5))
        #expect(m["inf1"] == .double(-.infinity))
        if case .double(let n)? = m["n"] { #expect(n.isNaN) } else { Issue.record("nan") }
        #expect(m["yes"] == .bool(true) && m["no"] == .bool(false))
        #expect(m["s"] == .string("tab\t quote\" u\u{e9} U\u{1F600}"))
        #expect(m["lit"] == .string("C:\\path\\no escapes"))
        #expect(m["empty"] == .string(""))
        #expect(m["widths"] == .array([.int(32), .int(16), .int(8)]))
        #expect(m["nested"] == .array([.array([.int(1), .int(2)]), .array([.string("a")]), .array([])]))
        #expect(m["inline"] == .table(["a": .int(1), "b": .table(["c": .string("x")])]))
        #expect(m["quoted key"] == .string("v"))
        #expect(m["dotted"] == .table(["key": .int(2)]))
        #expect(m["sub"] == .table(["k": .array([])]))
    }

    @Test("tables: headers, implicit parents, dotted keys, empty sections")
    func tables() throws {
        #expect(try parse("[a.b.c]\nx = 1\n[a]\ny = 2\n") == ["a": .table(["b": .table(["c": .table(["x": .int(1)])]), "y": .int(2)])])
        #expect(try parse("[init]\n") == ["init": .table([:])])
        #expect(try parse("[a]\nb.c = 1\nb.d = 2\n[a.b.e]\n") == ["a": .table(["b": .table(["c": .int(1), "d": .int(2), "e": .table([:])])])])
        #expect(try parse("") == [:])
    }

    /// The inputs that aborted the process through toml++, and others like them: each is an error at
    /// the stated line and column.
    @Test("malformed documents are errors with line and column", arguments: [
        ("[[[", 1, 1), ("[ #", 1, 3), ("x = [}", 1, 6), ("[[a]]\n", 1, 1), ("x = 1\ny = = 2\n", 2, 5),
        ("x = [1, 2\n", 2, 1), ("x = [,]", 1, 6), ("x = {a = 1,}", 1, 12), ("x = {a = 1\n}", 1, 11),
        ("x = \"abc\n", 1, 5), ("x = 'abc", 1, 5), ("x = \"\"\"a\"\"\"", 1, 5), ("x = '''a'''", 1, 5),
        ("x = 1979-05-27", 1, 5), ("x = 07:32:00", 1, 5), ("x = 01", 1, 5), ("x = 1__0", 1, 5), ("x = 1.", 1, 5),
        ("x = .5", 1, 5), ("x = 1e", 1, 5), ("x = 9223372036854775808", 1, 5), ("x = 1e400", 1, 5), ("x = 0xg", 1, 5),
        ("x = truee", 1, 5), ("x = \"\\q\"", 1, 6), ("x = \"\\uD800\"", 1, 6), ("x = 1 y = 2", 1, 7),
        ("x = 1\nx = 2", 2, 1), ("[a]\n[a]", 2, 1), ("a = 1\n[a]", 2, 1), ("a = 1\na.b = 2", 2, 1),
        ("[a]\nb.c = 1\n[a.b]", 3, 1), ("[a.b]\n[a]\nb.c = 1", 3, 1), ("a = {}\n[a.b]", 2, 1), ("x = \"a\u{01}\"", 1, 7),
        ("# bell \u{07}", 1, 8), ("x = 1\r", 1, 6), ("= 1", 1, 1), ("x", 1, 2), ("x =", 1, 4), ("[]", 1, 2),
        ("é = 1", 1, 1), ("x = \"é\" é", 1, 9),
    ])
    func malformed(text: String, line: Int, column: Int) {
        guard let p = position(text) else { Issue.record("'\(text)' parsed"); return }
        #expect(p == (line, column), "'\(text)'")
    }

    @Test("nesting is bounded, so no input can exhaust the stack")
    func nesting() throws {
        let depth = TOMLParser.maximumDepth
        _ = try parse("x = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        #expect(position("x = " + String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)) != nil)
        #expect(position("x = " + String(repeating: "[", count: 100_000)) != nil)
        #expect(position("x = " + String(repeating: "{a=", count: 100_000)) != nil)
        #expect(position("[" + Array(repeating: "a", count: 100_000).joined(separator: ".") + "]") != nil)
        #expect(position(Array(repeating: "a", count: depth + 1).joined(separator: ".") + " = 1") != nil)
    }

    @Test("an override value is TOML, or a bare word taken as a string")
    func overrides() throws {
        #expect(try TOMLValue.parseOverrideValue("[20, 3]", override: "m.w=[20, 3]") == .array([.int(20), .int(3)]))
        #expect(try TOMLValue.parseOverrideValue("relu", override: "m.a=relu") == .string("relu"))
        #expect(try TOMLValue.parseOverrideValue("/tmp/p.npz", override: "i.f=/tmp/p.npz") == .string("/tmp/p.npz"))
        #expect(try TOMLValue.parseOverrideValue("'a b'", override: "x") == .string("a b"))
        for bad in ["[20,}", "[[[", "[ #", "{a=", "\"open", "1 2"] {
            #expect(throws: TOMLError.self, "\(bad)") { try TOMLValue.parseOverrideValue(bad, override: "model.widths=\(bad)") }
        }
        do { _ = try TOMLValue.parseOverrideValue("[20,}", override: "model.widths=[20,}") } catch {
            #expect(error.description.contains("column 5"), "\(error.description)")
        }
    }

    @Test("files: missing, a directory, not UTF-8")
    func files() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("toml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("none.toml")
        #expect(throws: TOMLError.unreadable(path: missing.path, reason: "no such file")) { try TOMLValue.readDocument(missing) }
        #expect(throws: TOMLError.unreadable(path: dir.path, reason: "is a directory")) { try TOMLValue.readDocument(dir) }
        let latin1 = dir.appendingPathComponent("latin1.toml")
        try Data("[model]\nname = \"caf".utf8 + [0xE9] + Data("\"\n".utf8)).write(to: latin1)
        #expect(throws: TOMLError.notUTF8(path: latin1.path, byte: 0xE9, line: 2, column: 12)) { try TOMLValue.readDocument(latin1) }
        let good = dir.appendingPathComponent("good.toml")
        try Data("[a]\nb = 'é'\n".utf8).write(to: good)
        #expect(try TOMLValue.readDocument(good) == ["a": .table(["b": .string("é")])])
    }

    @Test("UTF-8 validation", arguments: [
        ([0x61], nil), ([0xC3, 0xA9], nil), ([0xF0, 0x9F, 0x98, 0x80], nil), ([0xC0, 0x80], 0), ([0xE0, 0x80, 0x80], 0),
        ([0xED, 0xA0, 0x80], 0), ([0xF4, 0x90, 0x80, 0x80], 0), ([0x61, 0xC3], 1), ([0xE2, 0x82], 0), ([0x80], 0), ([0xFF], 0),
    ] as [([UInt8], Int?)])
    func utf8(bytes: [UInt8], invalid: Int?) {
        #expect(UTF8Check.firstInvalid(bytes) == invalid)
        #expect((UTF8Check.firstInvalid(bytes) == nil) == (String(validating: bytes, as: UTF8.self) != nil))
    }

    /// Every config in experiments/ reads to the same tree as before (spot checks of typed values).
    @Test("the shipped experiment configs parse")
    func experiments() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).filter { $0.pathExtension == "toml" }
        #expect(files.count > 5)
        for f in files { _ = try TOMLValue.readDocument(f) }
        let ce = try TOMLValue.readDocument(dir.appendingPathComponent("example-deep-ce-momentum.toml"))
        #expect(ce["regularization"] == .table(["lambda_h": .double(1e-3), "lambda_w": .array([.double(1e-3), .double(1e-3), .double(5e-4)])]))
    }
}
