import Foundation
import Testing

@testable import ReflexCore

@Suite("Exact decimals")
struct FixedPointTests {
    @Test(
        "Venue strings parse exactly and print back byte for byte",
        arguments: [
            "61800.30", "0.001", "0.00141342", "9682", "-12.5", "0", "92233720368.54775807", "0.10", "-0.05",
            "0.00000001", "-92233720368.54775807",
        ])
    func roundTrip(_ text: String) throws {
        let price = try #require(Price(text))
        #expect(price.description == text)
    }

    @Test("Equal values compare equal whatever their printed precision")
    func equality() {
        #expect(Price("61800.3")! == Price("61800.30")!)
        #expect(Price("61800.3")!.hashValue == Price("61800.30")!.hashValue)
        #expect(Price("0.1")! < Price("0.11")!)
    }

    @Test(
        "Malformed or unrepresentable text is rejected",
        arguments: [
            "", "-", ".", "1.2.3", "1e5", "abc", "12a", "0.000000001", " 1", "92233720369", "1,5",
        ])
    func rejects(_ text: String) {
        #expect(Price(text) == nil)
    }

    @Test("Trailing zeros beyond eight decimals are harmless")
    func trailingZeros() {
        #expect(Quantity("1.0000000000")?.raw == 100_000_000)
    }

    @Test("Rounding onto a tick or step grid")
    func rounding() {
        let tick = Price("0.10")!
        #expect(Price("61800.34")!.rounded(toMultipleOf: tick, .down).description == "61800.30")
        #expect(Price("61800.34")!.rounded(toMultipleOf: tick, .up).description == "61800.40")
        #expect(Price("61800.35")!.rounded(toMultipleOf: tick, .nearest).description == "61800.40")
        #expect(Price("61800.34")!.rounded(toMultipleOf: tick, .nearest).description == "61800.30")
        #expect(Price("-1.05")!.rounded(toMultipleOf: tick, .down).description == "-1.10")
        let step = Quantity("0.001")!
        #expect(Quantity(approximating: 0.48543689)!.rounded(toMultipleOf: step, .down).description == "0.485")
        #expect(Price("61800.30")!.isMultiple(of: tick))
        #expect(!Price("61800.31")!.isMultiple(of: tick))
    }

    @Test("Notional is exact for realistic sizes")
    func notional() {
        #expect(Money.notional(Price("61800.30")!, Quantity("0.006")!).description == "370.80180000")
        #expect(Money.notional(Price("61800.30")!, Quantity("0.199")!) == Money("12298.2597")!)
        // 100 BTC at 100k would overflow a naive Int64 product of raw values.
        #expect(Money.notional(Price("100000")!, Quantity("100")!) == Money("10000000")!)
    }

    @Test("JSON encodes decimals as exact strings")
    func codable() throws {
        let data = try JSONEncoder().encode([Price("61800.30")!])
        #expect(String(decoding: data, as: UTF8.self) == "[\"61800.30\"]")
        let decoded = try JSONDecoder().decode([Quantity].self, from: Data("[\"0.006\"]".utf8))
        #expect(decoded == [Quantity("0.006")!])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Price].self, from: Data("[\"1e5\"]".utf8)) }
    }
}
