import ReflexCore
import Testing

@testable import ReflexExchange

struct BybitTapeSequencerTests {
    func trade(_ id: String, _ ms: Int64) -> BybitTrade {
        BybitTrade(
            id: id, symbol: "BTCUSDT", time: .milliseconds(ms), price: Price("100")!, quantity: Quantity("1")!,
            aggressor: .buy)
    }

    @Test func duplicatesAndOlderTradesAreNotDelivered() {
        var tape = BybitTapeSequencer()
        #expect(tape.admit(trade("a", 10)) == .deliver)
        #expect(tape.admit(trade("b", 10)) == .deliver)  // same millisecond, different id
        #expect(tape.admit(trade("a", 10)) == .duplicate)
        #expect(tape.admit(trade("c", 9)) == .stale)
        #expect(tape.lastTime == .milliseconds(10))
    }

    @Test func backfillDeliversOnlyTheGapBetweenLastAndFirstLive() {
        var tape = BybitTapeSequencer()
        _ = tape.admit(trade("a", 10))
        _ = tape.admit(trade("b", 20))
        let page = [trade("a", 10), trade("b", 20), trade("c", 25), trade("d", 30), trade("e", 40)]
        let result = tape.backfill(page, before: .milliseconds(30))
        #expect(result.trades.map(\.id) == ["c", "d"])
        #expect(result.complete)
        #expect(tape.admit(trade("d", 30)) == .duplicate)  // the live copy of a backfilled trade
        #expect(tape.admit(trade("e", 40)) == .deliver)
    }

    @Test func aPageThatDoesNotReachBackIsIncomplete() {
        var tape = BybitTapeSequencer()
        _ = tape.admit(trade("a", 10))
        let result = tape.backfill([trade("x", 50), trade("y", 60)], before: .milliseconds(70))
        #expect(!result.complete)
        #expect(result.trades.map(\.id) == ["x", "y"])
    }

    @Test func memoryIsBounded() {
        var tape = BybitTapeSequencer(memory: 2)
        _ = tape.admit(trade("a", 1))
        _ = tape.admit(trade("b", 2))
        _ = tape.admit(trade("c", 3))
        // "a" was forgotten, but it is older than the last trade, so it still cannot come back.
        #expect(tape.admit(trade("a", 1)) == .stale)
        #expect(tape.admit(trade("c", 3)) == .duplicate)
    }
}
