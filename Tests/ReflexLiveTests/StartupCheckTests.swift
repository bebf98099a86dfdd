import ReflexCore
import ReflexExchange
import Testing

@testable import ReflexLive

@Suite("Start-up check")
struct StartupCheckTests {
    static let rules = Instrument(
        symbol: "BTCUSDT", tickSize: Price("0.10")!, minPrice: Price("0.10")!, maxPrice: Price("1000000")!,
        stepSize: Quantity("0.001")!, minQuantity: Quantity("0.001")!, maxQuantity: Quantity("1000")!,
        marketStepSize: Quantity("0.001")!, marketMinQuantity: Quantity("0.001")!,
        marketMaxQuantity: Quantity("120")!, minNotional: Money("100")!)

    static func order(_ id: String, symbol: String = "BTCUSDT") -> OpenOrder {
        OpenOrder(
            clientOrderID: ClientOrderID(id), venueOrderID: "1", symbol: symbol, side: .buy, type: .market,
            quantity: Quantity("1")!, filledQuantity: .zero, reduceOnly: false, status: "NEW")
    }

    static func market(_ symbol: String, prefix: String, orders: [OpenOrder] = [], instrument: Instrument? = nil)
        -> StartupCheck.MarketSnapshot
    {
        var rules = Self.rules
        rules.symbol = symbol
        return StartupCheck.MarketSnapshot(
            symbol: symbol, orderIDPrefix: prefix, instrument: instrument ?? .binanceDefaults(for: "BTCUSDT"),
            rules: rules, openOrders: orders)
    }

    @Test("The bot's own orders pass; another's order on a traded symbol refuses the start, naming it")
    func foreignOrders() {
        let own = StartupCheck(
            markets: [Self.market("BTCUSDT", prefix: "doncBTC", orders: [Self.order("doncBTC-3-sl")])],
            accountPositions: [])
        #expect(own.refusals.isEmpty)
        let foreign = StartupCheck(
            markets: [
                Self.market("BTCUSDT", prefix: "doncBTC"),
                Self.market("ETHUSDT", prefix: "doncETH", orders: [Self.order("web_77", symbol: "ETHUSDT")]),
            ], accountPositions: [])
        #expect(foreign.refusals.count == 1)
        #expect(foreign.refusals[0].contains("ETHUSDT") && foreign.refusals[0].contains("web_77"))
        // A prefix that merely starts the same is not the bot's ("doncBTC" vs "doncBTCX-…").
        let lookalike = StartupCheck(
            markets: [Self.market("BTCUSDT", prefix: "doncBTC", orders: [Self.order("doncBTCX-1-e")])],
            accountPositions: [])
        #expect(lookalike.refusals.count == 1)
    }

    @Test("A strategy grid finer than the venue's refuses the start")
    func grid() {
        var instrument = Instrument.binanceDefaults(for: "BTCUSDT")
        instrument.tickSize = Price("0.01")!
        let check = StartupCheck(
            markets: [Self.market("BTCUSDT", prefix: "p", instrument: instrument)], accountPositions: [])
        #expect(check.refusals.first?.contains("tickSize 0.01 is not a multiple of the venue's 0.10") == true)
    }

    @Test("Positions in markets not traded are reported, flat ones and traded ones are not")
    func untraded() {
        let t = Timestamp.milliseconds(1)
        let check = StartupCheck(
            markets: [Self.market("BTCUSDT", prefix: "p")],
            accountPositions: [
                PositionUpdate(symbol: "BTCUSDT", quantity: Quantity("0.5")!, entryPrice: Price("60000")!, time: t),
                PositionUpdate(symbol: "SOLUSDT", quantity: Quantity("-3")!, entryPrice: Price("150")!, time: t),
                PositionUpdate(symbol: "XRPUSDT", quantity: .zero, entryPrice: .zero, time: t),
            ])
        #expect(check.refusals.isEmpty)
        #expect(check.untradedPositions.map(\.symbol) == ["SOLUSDT"])
    }
}
