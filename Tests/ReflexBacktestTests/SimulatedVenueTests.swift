import ReflexCore
import Testing

@testable import ReflexBacktest

@Suite("Simulated venue")
struct SimulatedVenueTests {
    func tick(_ ms: Int64, _ price: String) -> Tick {
        Tick(time: .milliseconds(ms), price: Price(price)!, quantity: Quantity("1")!, aggressor: .buy, tradeID: ms)
    }

    func intent(_ id: String, _ side: Side, _ type: OrderType, _ qty: String = "0.5", reduceOnly: Bool = false)
        -> OrderIntent
    {
        OrderIntent(
            clientOrderID: ClientOrderID(id), symbol: "BTCUSDT", side: side, type: type, quantity: Quantity(qty)!,
            reduceOnly: reduceOnly, purpose: .entry, time: .milliseconds(0))
    }

    func fills(_ events: [EngineEvent]) -> [OrderFilled] {
        events.compactMap { if case .orderFilled(let f) = $0 { return f } else { return nil } }
    }

    @Test("A market order fills at the next tick plus slippage in ticks, with the taker fee")
    func market() throws {
        var venue = SimulatedVenue(
            symbol: "BTCUSDT", configuration: .init(slippage: .ticks(2), takerFeeRate: 0.0005, tickSize: Price("0.10")!)
        )
        let accepted = venue.submit(intent("a", .buy, .market), at: .milliseconds(0))
        #expect(accepted.count == 1)
        let fill = try #require(fills(venue.process(tick(1, "60000.00"))).first)
        #expect(fill.price == Price("60000.20")!)
        #expect(fill.quantity == Quantity("0.5")! && fill.isFinal)
        #expect(fill.fee == Money("15.00005")!)  // 30 000.10 × 0.0005
        #expect(venue.position == Quantity("0.5")!)
    }

    @Test("Latency delays the order in tape time")
    func latency() {
        var venue = SimulatedVenue(symbol: "BTCUSDT", configuration: .init(latency: .milliseconds(50)))
        _ = venue.submit(intent("a", .sell, .market), at: .milliseconds(100))
        #expect(fills(venue.process(tick(120, "100"))).isEmpty)
        #expect(fills(venue.process(tick(150, "101"))).first?.price == Price("101"))
    }

    @Test("A limit fills only when the tape trades through it, at the limit, as maker")
    func limit() {
        var venue = SimulatedVenue(symbol: "BTCUSDT", configuration: .init(makerFeeRate: 0.0002))
        _ = venue.submit(intent("l", .buy, .limit(price: Price("100")!)), at: .milliseconds(0))
        #expect(fills(venue.process(tick(1, "100"))).isEmpty, "touching is not trading through")
        let fill = fills(venue.process(tick(2, "99.9"))).first
        #expect(fill?.price == Price("100"))
        #expect(fill?.fee == Money("0.01"))
    }

    @Test("Stops trigger on trade price; reduce-only never flips the position")
    func stopsAndReduceOnly() {
        var venue = SimulatedVenue(symbol: "BTCUSDT")
        _ = venue.submit(intent("e", .buy, .market, "0.5"), at: .milliseconds(0))
        _ = venue.process(tick(1, "100"))
        _ = venue.submit(
            intent("s", .sell, .stopMarket(trigger: Price("95")!), "0.8", reduceOnly: true), at: .milliseconds(1))
        _ = venue.submit(
            intent("t", .sell, .takeProfitMarket(trigger: Price("110")!), "0.5", reduceOnly: true), at: .milliseconds(1)
        )
        #expect(fills(venue.process(tick(2, "96"))).isEmpty)
        let stop = fills(venue.process(tick(3, "94.5")))
        #expect(stop.map(\.clientOrderID) == ["s"])
        #expect(stop.first?.quantity == Quantity("0.5"), "capped at the position")
        #expect(venue.position.isZero)
        // The take-profit has nothing left to reduce: canceled, not filled.
        let after = venue.process(tick(4, "111"))
        #expect(fills(after).isEmpty)
        #expect(
            after.contains {
                if case .orderCanceled(let c) = $0 { return c.clientOrderID == "t" } else { return false }
            })
    }

    @Test("A reused client id is rejected; cancel removes; unknown cancel is rejected")
    func idsAndCancel() {
        var venue = SimulatedVenue(symbol: "BTCUSDT")
        _ = venue.submit(intent("x", .buy, .limit(price: Price("1")!)), at: .milliseconds(0))
        let again = venue.submit(intent("x", .buy, .limit(price: Price("1")!)), at: .milliseconds(0))
        #expect(again.count == 1 && { if case .orderRejected = again[0] { return true } else { return false } }())
        #expect(
            venue.cancel("x", at: .milliseconds(1)).first
                == .orderCanceled(OrderCanceled(clientOrderID: "x", time: .milliseconds(1))))
        #expect(venue.openOrders.isEmpty)
        if case .orderRejected = venue.cancel("x", at: .milliseconds(2)).first {
        } else {
            Issue.record("expected a rejection")
        }
    }

    @Test("Slippage parses ticks and basis points")
    func slippageParsing() {
        #expect(Slippage("2t") == .ticks(2))
        #expect(Slippage("3ticks") == .ticks(3))
        #expect(Slippage("1.5bps") == .basisPoints(1.5))
        #expect(Slippage("0") == Slippage.none)
        #expect(Slippage("-1t") == nil && Slippage("abc") == nil)
    }
}
