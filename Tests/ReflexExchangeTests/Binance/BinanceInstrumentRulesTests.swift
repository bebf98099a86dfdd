import ReflexCore
import ReflexExchange
import Testing

struct BinanceInstrumentRulesTests {
    func rules(_ symbol: String = "BTCUSDT") throws -> Instrument {
        try #require(
            BinanceParse.instrumentRules(exchangeInfoJSON: try Fixture.text("exchange_info.json"), symbol: symbol))
    }

    func intent(_ type: OrderType, _ quantity: String, reduceOnly: Bool = false) -> OrderIntent {
        OrderIntent(
            clientOrderID: "t-1", symbol: "BTCUSDT", side: .buy, type: type, quantity: Quantity(quantity)!,
            reduceOnly: reduceOnly, purpose: .entry, time: .milliseconds(0))
    }

    @Test func exchangeInfoFiltersAreRead() throws {
        let btc = try rules()
        #expect(btc.tickSize.description == "0.10")
        #expect(btc.minPrice.description == "556.80")
        #expect(btc.stepSize.description == "0.001")
        #expect(btc.marketMaxQuantity.description == "120")
        #expect(btc.maxQuantity.description == "1000")
        #expect(btc.minNotional.description == "100")
        let blz = try rules("BLZUSDT")
        #expect(blz.tickSize.description == "0.0001")
        #expect(blz.minNotional.description == "5.0")
        #expect(
            BinanceParse.instrumentRules(exchangeInfoJSON: try Fixture.text("exchange_info.json"), symbol: "NOPE")
                == nil)
    }

    @Test func validOrdersPass() throws {
        let btc = try rules()
        #expect(btc.violation(of: intent(.limit(price: Price("61800.30")!), "0.002")) == nil)
        #expect(btc.violation(of: intent(.market, "0.002"), referencePrice: Price("61800.30")!) == nil)
        #expect(btc.violation(of: intent(.stopMarket(trigger: Price("58000.10")!), "0.002")) == nil)
    }

    @Test func eachFilterRejectsWithAClearReason() throws {
        let btc = try rules()
        let offTick = btc.violation(of: intent(.limit(price: Price("61800.35")!), "0.002"))
        #expect(offTick == .priceOffTick(Price("61800.35")!, tick: Price("0.10")!))
        #expect(offTick?.description.contains("tick size 0.10") == true)
        #expect(
            btc.violation(of: intent(.limit(price: Price("61800.30")!), "0.0025"))
                == .quantityOffStep(Quantity("0.0025")!, step: Quantity("0.001")!))
        #expect(
            btc.violation(of: intent(.market, "0.0005"))
                == .quantityBelowMinimum(Quantity("0.0005")!, minimum: Quantity("0.001")!))
        #expect(
            btc.violation(of: intent(.market, "121"), referencePrice: Price("61800.30")!)
                == .quantityAboveMaximum(Quantity("121")!, maximum: Quantity("120")!))
        // A limit order may be larger than the market maximum.
        #expect(btc.violation(of: intent(.limit(price: Price("61800.30")!), "121")) == nil)
        #expect(
            btc.violation(of: intent(.limit(price: Price("500.00")!), "1"))
                == .priceBelowMinimum(Price("500.00")!, minimum: Price("556.80")!))
        // 0.001 × 61800.30 = 61.8003 < 100
        guard
            case .notionalBelowMinimum = btc.violation(of: intent(.market, "0.001"), referencePrice: Price("61800.30")!)
        else {
            Issue.record("expected a notional violation")
            return
        }
        #expect(
            btc.violation(of: intent(.market, "0.001", reduceOnly: true), referencePrice: Price("61800.30")!) == nil)
    }

    @Test func computedValuesRoundOntoTheGrid() throws {
        let btc = try rules()
        #expect(btc.price(Price("61800.37")!, .down).description == "61800.30")
        #expect(btc.price(Price("61800.37")!, .up).description == "61800.40")
        #expect(btc.quantity(Quantity("0.0029")!).description == "0.002")
        let blz = try rules("BLZUSDT")
        #expect(blz.quantity(Quantity("12.7")!).description == "12")
    }
}
