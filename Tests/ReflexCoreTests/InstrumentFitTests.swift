import Foundation
import ReflexCore
import Testing

struct InstrumentFitTests {
    /// Binance's BTCUSDT perpetual.
    let venue = Instrument(
        symbol: "BTCUSDT", tickSize: Price("0.10")!, stepSize: Quantity("0.001")!, minQuantity: Quantity("0.001")!,
        marketStepSize: Quantity("0.001")!, marketMinQuantity: Quantity("0.001")!, minNotional: Money("100")!)

    func instrument(tick: String = "0.10", step: String = "0.001", minimum: String = "0.001", notional: String = "100")
        -> Instrument
    {
        Instrument(
            symbol: "BTCUSDT", tickSize: Price(tick)!, stepSize: Quantity(step)!, minQuantity: Quantity(minimum)!,
            minNotional: Money(notional)!)
    }

    @Test func theSameGridOrACoarserOneFits() {
        #expect(venue.problems(trading: instrument()).isEmpty)
        #expect(
            venue.problems(trading: instrument(tick: "0.50", step: "0.010", minimum: "0.01", notional: "150")).isEmpty)
    }

    @Test func aFinerGridOrLowerMinimumsAreNamed() {
        #expect(
            venue.problems(trading: instrument(tick: "0.05")) == ["tickSize 0.05 is not a multiple of the venue's 0.10"]
        )
        #expect(
            venue.problems(trading: instrument(tick: "0.15")) == ["tickSize 0.15 is not a multiple of the venue's 0.10"]
        )
        #expect(
            venue.problems(trading: instrument(step: "0.0005", minimum: "0.0005", notional: "5")) == [
                "stepSize 0.0005 is not a multiple of the venue's 0.001",
                "market stepSize 0.0005 is not a multiple of the venue's 0.001",
                "minQuantity 0.0005 is below the venue's 0.001",
                "minNotional 5 is below the venue's 100",
            ])
    }
}

struct InstrumentCodingTests {
    @Test("An instrument journaled before the venue's limits were part of the type decodes, limits off")
    func oldJournalForm() throws {
        let old =
            #"{"minNotional":"100","minQuantity":"0.001","stepSize":"0.001","symbol":"BTCUSDT","tickSize":"0.10"}"#
        let decoded = try JSONDecoder().decode(Instrument.self, from: Data(old.utf8))
        #expect(
            decoded
                == Instrument(
                    symbol: "BTCUSDT", tickSize: Price("0.10")!, stepSize: Quantity("0.001")!,
                    minQuantity: Quantity("0.001")!, minNotional: Money("100")!))
        #expect(decoded.maxPrice == .zero && decoded.marketStepSize == decoded.stepSize)
    }

    @Test("Binance's table round-trips through the journal's coding")
    func roundTrip() throws {
        let btc = try #require(Instrument.binanceUSDM["BTCUSDT"])
        let again = try JSONDecoder().decode(Instrument.self, from: JSONEncoder().encode(btc))
        #expect(again == btc && again.marketMaxQuantity == Quantity("120"))
    }
}
