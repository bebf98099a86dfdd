import Testing

@testable import ReflexCore

struct JSONParserTests {
    private func parse(_ text: String) -> JSONValue? { try? JSONParser.parse(Array(text.utf8)) }

    @Test func keepsNumbersExactlyAndDecodesEscapes() throws {
        let value = try JSONParser.parse(
            Array(#" {"p": 61800.30, "s": "a\"\u00e9\ud83d\ude00", "l": [true, null, -0.5e-3]} "#.utf8))
        #expect(value["p"] == .number("61800.30"))
        #expect(value["s"] == .string("a\"é😀"))
        #expect(value["l"] == .array([.bool(true), .null, .number("-0.5e-3")]))
        #expect(value.jsonText == #"{"p":61800.30,"s":"a\"é😀","l":[true,null,-0.5e-3]}"#)
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "{\"a\":1}x", "01", "1.", "-", "+1", "NaN", "Infinity", "'a'", "{\"a\" 1}",
        "{\"a\":1,\"a\":2}", "\"\\x\"", "\"\\ud800\"", "\"a\u{01}\"", "tru", "nul",
        String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
    ])
    func rejectsWhatIsNotStrictJSON(text: String) {
        #expect(parse(text) == nil)
    }

    @Test func duplicateKeysAreFoundInLargeObjectsToo() {
        let keys = (0..<20).map { "\"k\($0)\":\($0)" }
        #expect(parse("{" + keys.joined(separator: ",") + "}") != nil)
        #expect(parse("{" + (keys + ["\"k3\":0"]).joined(separator: ",") + "}") == nil)
        #expect(parse("{" + (keys + ["\"k19\":0"]).joined(separator: ",") + "}") == nil)
    }

    @Test func rejectsInvalidUTF8() {
        #expect((try? JSONParser.parse([0x22, 0xC3, 0x28, 0x22])) == nil)
    }

    @Test func reportsWhere() {
        #expect(throws: JSONSyntaxError(offset: 10, line: 1, column: 11, message: "duplicate key \"a\"")) {
            try JSONParser.parse(Array("{\"a\":1,   \"a\":2}".utf8))
        }
        #expect(throws: JSONSyntaxError(offset: 8, line: 2, column: 3, message: "unexpected character")) {
            try JSONParser.parse(Array("{\"a\":\n  }".utf8))
        }
    }
}
