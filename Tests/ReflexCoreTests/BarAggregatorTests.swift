import Testing

@testable import ReflexCore

@Suite("Time bars")
struct BarAggregatorTests {
    func tick(_ ms: Int64, _ price: String, _ qty: String = "1", id: Int64 = 0) -> Tick {
        Tick(time: .milliseconds(ms), price: Price(price)!, quantity: Quantity(qty)!, aggressor: .buy, tradeID: id)
    }

    @Test("Buckets [k·I, (k+1)·I) by trade time; a bar closes on the first tick of a later bucket")
    func buckets() {
        var bars = BarAggregator(interval: .seconds(5))
        #expect(bars.add(tick(10_000, "100")) == nil)
        #expect(bars.add(tick(12_000, "103", "2")) == nil)
        #expect(bars.add(tick(14_999, "99")) == nil)
        let closed = bars.add(tick(15_000, "101"))
        #expect(closed?.openTime == .milliseconds(10_000))
        #expect(closed?.open == Price("100"))
        #expect(closed?.high == Price("103"))
        #expect(closed?.low == Price("99"))
        #expect(closed?.close == Price("99"))
        #expect(closed?.volume == Quantity("4"))
        #expect(closed?.trades == 3)
        // An empty bucket makes no bar: 20–25 s has no trade.
        let next = bars.add(tick(26_000, "102"))
        #expect(next?.openTime == .milliseconds(15_000))
        #expect(bars.flush()?.openTime == .milliseconds(25_000))
        #expect(bars.flush() == nil)
    }

    @Test("Bar intervals parse Ns, Nm, Nh and reject the rest")
    func intervals() {
        #expect(BarInterval("5s")?.nanoseconds == 5_000_000_000)
        #expect(BarInterval("1m")?.nanoseconds == 60_000_000_000)
        #expect(BarInterval("4h")?.nanoseconds == 14_400_000_000_000)
        #expect(BarInterval("1m")?.description == "1m")
        for bad in ["", "5", "s", "0s", "-1m", "1.5m", "5x", "m5"] { #expect(BarInterval(bad) == nil, "\(bad)") }
    }
}
