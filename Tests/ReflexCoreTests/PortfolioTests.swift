import Foundation
import Testing

@testable import ReflexCore

/// Two markets (BTCUSDT and ETHUSDT) warmed up on the same tape as ``EngineFixture``: channel [59 990, 60 010],
/// so a trade at 60 050 breaks out upwards in either.
struct PortfolioFixture {
    var portfolio: Portfolio
    var time: Int64 = 0
    static let symbols = ["BTCUSDT", "ETHUSDT"]

    init(limits: PortfolioLimits) {
        let engines = Self.symbols.map { symbol in
            var strategy = StrategyParameters(
                name: "test", symbol: symbol, barInterval: .seconds(1), channelLength: 3, exitChannelLength: 2,
                atrLength: 2, volatilityLength: 2, stopATR: 2, takeProfitATR: 4, trailingATR: 3, riskFraction: 0.01,
                maxLeverage: 3, initialMode: .trend)
            strategy.instrument = .binanceDefaults(for: symbol)
            return Engine(
                configuration: EngineConfiguration(
                    strategy: strategy, initialEquity: Money("10000")!, orderIDPrefix: String(symbol.prefix(3))))
        }
        portfolio = Portfolio(markets: engines, limits: limits)
        for second in 0..<3 {
            for market in 0..<2 {
                _ = tick(market, Int64(second) * 1000, "60000")
                _ = tick(market, Int64(second) * 1000 + 300, "60010")
                _ = tick(market, Int64(second) * 1000 + 600, "59990")
            }
        }
        _ = tick(0, 3000, "60000")
        _ = tick(1, 3000, "60000")
    }

    mutating func tick(_ market: Int, _ ms: Int64, _ price: String) -> [EngineCommand] {
        time = ms
        return portfolio.handle(
            tick: Tick(
                time: .milliseconds(ms), price: Price(price)!, quantity: Quantity("0.01")!, aggressor: .buy,
                tradeID: ms),
            market: market)
    }

    mutating func fill(_ intent: OrderIntent, price: String, trade: String) -> [EngineCommand] {
        portfolio.handle(
            .orderFilled(
                OrderFilled(
                    symbol: intent.symbol, clientOrderID: intent.clientOrderID, tradeID: trade, side: intent.side,
                    price: Price(price)!, quantity: intent.quantity, isFinal: true, fee: Money("0.01")!,
                    time: .milliseconds(time)))
        ).commands
    }

    /// BTCUSDT breaks out and its entry fills; returns the entry and its protection.
    mutating func openBitcoin() throws -> (entry: OrderIntent, protection: [OrderIntent]) {
        let entry = try #require(tick(0, 3200, "60050").placed.first)
        #expect(entry.symbol == "BTCUSDT" && entry.purpose == .entry)
        return (entry, fill(entry, price: "60050", trade: "b1").placed)
    }
}

@Suite("Portfolio")
struct PortfolioTests {
    @Test("Account events go to their market by client-id prefix and symbol; the rest are counted, not applied")
    func routing() throws {
        var f = PortfolioFixture(limits: .init())
        let p = f.portfolio
        let t = Timestamp.milliseconds(1)
        #expect(p.route(.orderAccepted(OrderAccepted(clientOrderID: "ETH-e-1", time: t))) == .market(1))
        #expect(p.route(.orderCanceled(OrderCanceled(clientOrderID: "BTC-sl-2", time: t))) == .market(0))
        let fill = OrderFilled(
            symbol: "ETHUSDT", clientOrderID: "ETH-e-1", tradeID: "x", side: .buy, price: Price("1")!,
            quantity: Quantity("1")!, isFinal: true, fee: .zero, time: t)
        #expect(p.route(.orderFilled(fill)) == .market(1))
        var crossed = fill
        crossed.symbol = "BTCUSDT"
        guard case .unmatched(let why) = p.route(.orderFilled(crossed)) else {
            Issue.record("a fill whose id and symbol disagree must not be applied")
            return
        }
        #expect(why.contains("ETH-e-1") && why.contains("BTCUSDT"))
        var manual = fill
        manual.clientOrderID = "web_123"
        #expect(p.route(.orderFilled(manual)) == .market(1), "a fill of a foreign order on a traded symbol")
        let position = PositionUpdate(symbol: "SOLUSDT", quantity: .zero, entryPrice: .zero, time: t)
        #expect(p.route(.positionChanged(position)) == .unmatched("no market trades SOLUSDT"))
        #expect(p.route(.orderRejected(OrderRejected(clientOrderID: "zzz-1", reason: "", time: t))) != .market(0))
        #expect(p.route(.control(ControlCommand(action: .pause, time: t))) == .all)
        #expect(p.route(.control(ControlCommand(action: .pause, time: t, symbol: "ETHUSDT"))) == .market(1))
        #expect(
            p.route(.regimeShift(RegimeShift(mode: .range, source: .webhook, time: t, symbol: "BTCUSDT"))) == .market(0)
        )
        #expect(p.route(.timer(t)) == .all)

        // Applied: only the market concerned changes; an unmatched event changes nothing but the count.
        _ = f.portfolio.handle(.control(ControlCommand(action: .setMode(.range), time: t, symbol: "ETHUSDT")))
        #expect(f.portfolio.markets.map(\.mode) == [.trend, .range])
        let before = f.portfolio.markets.map(\.fillCount)
        let (route, commands) = f.portfolio.handle(.orderFilled(crossed))
        #expect(commands.isEmpty && f.portfolio.markets.map(\.fillCount) == before)
        if case .unmatched = route {} else { Issue.record("expected unmatched, got \(route)") }
        #expect(f.portfolio.unmatchedEvents == 1)
        _ = f.portfolio.handle(.control(ControlCommand(action: .pause, time: t)))
        #expect(f.portfolio.markets.allSatisfy { $0.paused })
    }

    @Test("Total notional cap: the second market's entry is held, never sent, and retried a bar later")
    func totalNotionalCap() throws {
        var f = PortfolioFixture(limits: .init(maxTotalNotional: Money("40000")!))
        let (entry, protection) = try f.openBitcoin()
        #expect(Money.notional(Price("60050")!, entry.quantity) < Money("40000")!)
        #expect(protection.count == 2, "protection is never held")
        let held = f.tick(1, 3200, "60050")
        #expect(held.placed.isEmpty)
        let notice = try #require(held.notices.first { $0.kind == "entryHeld" })
        #expect(notice.message.contains("maxTotalNotional") && notice.message.contains("40000"))
        #expect(f.portfolio.markets[1].workingOrders.isEmpty && f.portfolio.markets[1].plan == nil)
        #expect(f.portfolio.risk.heldEntries == ["maxTotalNotional": 1])
        #expect(!f.portfolio.markets[1].paused, "held entries do not count towards pausing")
        #expect(f.tick(1, 3300, "60060").placed.isEmpty, "not retried on every trade")

        // Bitcoin's stop fills: the cap has room again, and Ether enters on a later bar.
        let stop = try #require(protection.first { $0.purpose == .stopLoss })
        _ = f.fill(stop, price: "60000", trade: "b2")
        #expect(f.portfolio.totalNotional == .zero)
        let retried = f.tick(1, 4300, "60070")
        #expect(retried.placed.first?.symbol == "ETHUSDT" && retried.placed.first?.purpose == .entry)
    }

    @Test("Total notional cap counts an entry on its way: two markets breaking out together do not both pass it")
    func totalNotionalCapCountsEntriesInFlight() throws {
        var f = PortfolioFixture(limits: .init(maxTotalNotional: Money("40000")!))
        let entry = try #require(f.tick(0, 3200, "60050").placed.first)
        #expect(entry.purpose == .entry && Money.notional(Price("60050")!, entry.quantity) > Money("20000")!)
        // Bitcoin's entry is sent but not filled: its position is still flat.
        #expect(f.portfolio.totalNotional == .zero)
        let held = f.tick(1, 3200, "60050")
        #expect(held.placed.isEmpty, "Ether's entry would take the account past the cap once Bitcoin's fills")
        #expect(held.notices.contains { $0.message.contains("maxTotalNotional") && $0.message.contains("on its way") })
        #expect(f.portfolio.risk.heldEntries == ["maxTotalNotional": 1])
        // The venue refuses Bitcoin's entry: nothing is committed any more, and Ether enters on a later bar.
        _ = f.portfolio.handle(
            .orderRejected(
                OrderRejected(clientOrderID: entry.clientOrderID, reason: "margin", time: .milliseconds(3200))))
        #expect(f.tick(1, 4300, "60070").placed.first?.purpose == .entry)
    }

    @Test("Max open positions counts entries on their way")
    func maxOpenPositions() throws {
        var f = PortfolioFixture(limits: .init(maxOpenPositions: 1))
        let entry = try #require(f.tick(0, 3200, "60050").placed.first)
        let held = f.tick(1, 3200, "60050")
        #expect(held.placed.isEmpty, "Bitcoin's entry is on its way")
        #expect(held.notices.contains { $0.message.contains("maxOpenPositions") && $0.message.contains("BTCUSDT") })
        // Rejected by the venue: the slot frees.
        _ = f.portfolio.handle(
            .orderRejected(
                OrderRejected(clientOrderID: entry.clientOrderID, reason: "margin", time: .milliseconds(3200))))
        #expect(f.tick(1, 4300, "60070").placed.count == 1)
    }

    @Test("Portfolio daily loss halts entries everywhere; protection and exits still go")
    func dailyLoss() throws {
        var f = PortfolioFixture(limits: .init(maxDailyLoss: Money("10")!))
        let (_, protection) = try f.openBitcoin()
        #expect(protection.count == 2)
        _ = f.tick(0, 3300, "60000")  // ≈ 25 down on 0.499 BTC
        let halt = f.portfolio.handle(.timer(.milliseconds(3400))).commands
        #expect(halt.notices.contains { $0.kind == "portfolioHalt" })
        #expect(f.portfolio.risk.halt?.contains("daily loss") == true)
        let held = f.tick(1, 3500, "60050")
        #expect(held.placed.isEmpty)
        #expect(held.notices.contains { $0.message.contains("maxDailyLoss") })
        // Bitcoin's operator flatten is an exit: it goes.
        let flatten = f.portfolio.handle(
            .control(ControlCommand(action: .flatten, time: .milliseconds(3600), symbol: "BTCUSDT"))
        ).commands
        #expect(flatten.placed.contains { $0.purpose == .flatten })
        // The next UTC day clears it.
        let nextDay = f.portfolio.handle(.timer(.milliseconds(86_400_000 + 1))).commands
        #expect(nextDay.notices.contains { $0.kind == "portfolioHaltCleared" })
        #expect(f.portfolio.risk.halt == nil)
    }

    @Test("The account's order budget keeps room for protection")
    func accountOrderBudget() throws {
        var f = PortfolioFixture(limits: .init(maxOrdersPerMinute: 7))
        let (_, protection) = try f.openBitcoin()  // entry + stop + target: 3 in the window
        #expect(protection.count == 2)
        #expect(f.portfolio.risk.ordersInWindow == 3)
        let held = f.tick(1, 3300, "60050")  // 3 + 1 + 4 reserved > 7
        #expect(held.placed.isEmpty && held.notices.contains { $0.message.contains("maxOrdersPerMinute") })
        // A minute later the window has emptied.
        let later = f.tick(1, 64_000, "60100")
        #expect(later.placed.first?.symbol == "ETHUSDT")
    }

    @Test("One market without limits gives exactly the engine's commands")
    func oneMarketIsTheEngine() {
        var engine = EngineFixture()
        var portfolio = Portfolio(engine: engine.engine)
        var prices = ["60005", "60050", "60060", "59900", "60100", "59800", "60200"]
        prices += prices.reversed()
        for (n, price) in prices.enumerated() {
            let tick = Tick(
                time: .milliseconds(3100 + Int64(n) * 700), price: Price(price)!, quantity: Quantity("0.01")!,
                aggressor: .buy, tradeID: Int64(n))
            let expected = engine.engine.handle(tick: tick)
            #expect(portfolio.handle(tick: tick, market: 0) == expected)
            for case .place(let intent) in expected {
                let fill = EngineEvent.orderFilled(
                    OrderFilled(
                        symbol: "BTCUSDT", clientOrderID: intent.clientOrderID, tradeID: "t\(n)", side: intent.side,
                        price: tick.price, quantity: intent.quantity, isFinal: true, fee: .zero, time: tick.time))
                if intent.type == .market { #expect(portfolio.handle(fill).commands == engine.engine.handle(fill)) }
            }
        }
    }

    @Test("A portfolio decodes to the same state and decides the same")
    func codable() throws {
        var f = PortfolioFixture(limits: .init(maxTotalNotional: Money("40000")!))
        _ = try f.openBitcoin()
        let data = try JSONEncoder().encode(f.portfolio)
        var copy = try JSONDecoder().decode(Portfolio.self, from: data)
        #expect(copy.risk == f.portfolio.risk)
        let tick = Tick(
            time: .milliseconds(3200), price: Price("60050")!, quantity: Quantity("0.01")!, aggressor: .buy, tradeID: 9)
        #expect(copy.handle(tick: tick, market: 1) == f.portfolio.handle(tick: tick, market: 1))
        #expect(copy.market(clientOrderID: "ETH-e-1") == 1)
    }
}
