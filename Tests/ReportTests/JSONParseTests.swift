import Foundation
import Formats
import Testing
@testable import Report

@Suite struct JSONParseTests {
    @Test func roundTripKeepsKeyOrder() throws {
        let v: JSONValue = ["z": 1, "a": [1.5, -2e-9, 3], "m": ["t": true, "f": false, "n": .null, "s": "é \"q\" \\ \n ∑"], "e": [], "o": [:]]
        let text = v.serialized()
        let back = try JSONValue.parse(text)
        #expect(back == v)
        #expect(back.members?.map(\.0) == ["z", "a", "m", "e", "o"])
        #expect(back.value(at: "m.s")?.string == "é \"q\" \\ \n ∑")
    }

    @Test func escapesAndNumbers() throws {
        #expect(try JSONValue.parse("\"\\u00e9\\ud83d\\ude00\\/\"").string == "é😀/")
        #expect(try JSONValue.parse(" -0.5e-3 ").number == -0.0005)
        #expect(try JSONValue.parse("NaN").number?.isNaN == true)
        #expect(try JSONValue.parse("[-Infinity]") == .array([.number(-.infinity)]))
        #expect(try JSONValue.parse("{\"a\":{\"b\":[1,{\"c\":2}]}}").value(at: "a.b") == [1, ["c": 2]])
    }

    @Test func errorsGiveLineAndColumn() {
        #expect(throws: FormatError.invalidContent(path: "s.json", reason: "line 2, column 3: expected ',' or '}' in object")) {
            try JSONValue.parse("{\"a\": 1\n  \"b\": 2}", path: "s.json")
        }
        #expect(throws: FormatError.invalidContent(path: "<json>", reason: "line 1, column 1: invalid value")) {
            try JSONValue.parse("+1")
        }
        #expect(throws: FormatError.self) { try JSONValue.parse("[1, 2") }
        #expect(throws: FormatError.self) { try JSONValue.parse("\"abc") }
        #expect(throws: FormatError.self) { try JSONValue.parse("{} x") }
        #expect(throws: FormatError.self) { try JSONValue.parse("tru") }
        #expect(throws: FormatError.self) { try JSONValue.parse(String(repeating: "[", count: 600)) }
    }
}
