import Foundation
import ReflexCore
import ReflexExchange
import Testing

struct BinanceParseTradeTests {
    @Test("A combined-stream trade names its market; a symbol not subscribed names none")
    func combinedStreamSymbol() {
        func parse(_ text: String) -> (BinanceTradeMessage, Int?) {
            var text = text
            return text.withUTF8 { BinanceParse.trade(bytes: $0, symbols: BinanceSymbolTable(["BTCUSDT", "ETHUSDT"])) }
        }
        let eth =
            #"{"stream":"ethusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"ETHUSDT","a":7,"p":"2683.80","q":"0.002","f":1,"l":1,"T":1723161255611,"m":true}}"#
        let (message, index) = parse(eth)
        #expect(index == 1)
        guard case .trade(let tick) = message else {
            Issue.record("expected a trade, got \(message)")
            return
        }
        #expect(tick.tradeID == 7 && tick.price == Price("2683.80")!)
        #expect(parse(eth.replacingOccurrences(of: "ETHUSDT", with: "BTCUSDT")).1 == 0)
        #expect(parse(eth.replacingOccurrences(of: "ETHUSDT", with: "SOLUSDT")).1 == nil)
        #expect(parse(eth.replacingOccurrences(of: "ETHUSDT", with: "ETHUSD")).1 == nil, "exact match only")
    }

    @Test func docsAggTradeSampleBecomesATick() throws {
        let message = BinanceParse.trade(try Fixture.text("aggTrade.json"))
        guard case .trade(let tick) = message else {
            Issue.record("expected a trade, got \(message)")
            return
        }
        #expect(tick.tradeID == 5_933_014)
        #expect(tick.price.description == "0.001")
        #expect(tick.quantity.description == "100")
        #expect(tick.time == .milliseconds(123_456_785))
        #expect(tick.aggressor == .sell)  // "m": true — the buyer was the maker
    }

    @Test func docsTradeSampleUsesTheTradeID() throws {
        guard case .trade(let tick) = BinanceParse.trade(try Fixture.text("spot_trade.json")) else {
            Issue.record("expected a trade")
            return
        }
        #expect(tick.tradeID == 12345)
        #expect(tick.time == .milliseconds(1_672_515_782_136))
    }

    @Test func combinedEnvelopeIsUnwrapped() throws {
        let raw = try Fixture.text("aggTrade.json")
        let combined = "{\"stream\":\"btcusdt@aggTrade\",\"data\":\(raw)}"
        #expect(BinanceParse.trade(combined) == BinanceParse.trade(raw))
    }

    @Test func nonTradeEventsAreIgnoredNotMalformed() throws {
        #expect(BinanceParse.trade(try Fixture.text("book_ticker.json")) == .ignored)
        #expect(BinanceParse.trade("{\"result\":null,\"id\":1}") == .ignored)
    }

    @Test(arguments: [
        "", "not json", "[1,2]", "{\"e\":\"aggTrade\"", "{\"e\":\"aggTrade\",\"a\":1,\"p\":\"1\",\"q\":\"1\",\"T\":1}",
        "{\"e\":\"aggTrade\",\"a\":1,\"p\":\"1e5\",\"q\":\"1\",\"T\":1,\"m\":true}",
        "{\"e\":\"aggTrade\",\"a\":99999999999999999999,\"p\":\"1\",\"q\":\"1\",\"T\":1,\"m\":true}",
        "{\"e\":\"aggTrade\",\"a\":1,\"p\":\"1\",\"q\":\"1\",\"T\":1,\"m\":true} trailing",
        "{\"e\":\"trade\",\"t\":1,\"p\":\"1\",\"q\":\"1\",\"T\":1,\"m\":true,\"x\":[1,{\"y\":]}",
    ])
    func malformedMessagesAreReportedNotCrashed(_ text: String) {
        guard case .malformed = BinanceParse.trade(text) else {
            Issue.record("expected malformed for \(text)")
            return
        }
    }

    @Test func everyTradeOfTheRecordingMatchesTheExchangeCSV() throws {
        let recording = try Fixture.gunzipped("binance-usdm-btcusdt-2024-08-08.ws.gz")
        var ticks: [Tick] = []
        var ignored = 0
        var malformed = 0
        for line in recording.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            switch BinanceParse.trade(String(line[line.index(after: space)...])) {
            case .trade(let tick): ticks.append(tick)
            case .ignored: ignored += 1
            case .malformed: malformed += 1
            }
        }
        #expect(ticks.count == 21_313)
        #expect(malformed == 0)
        #expect(ignored > 0)  // depth and bookTicker messages share the file

        // The public trades CSV is an independent rendering of the same trades: compare field by field, as text.
        let csv = try Fixture.text("BTCUSDT-trades-2024-08-08-2354.csv").split(separator: "\n").dropFirst()
        #expect(csv.count == ticks.count)
        var mismatches = 0
        for (tick, row) in zip(ticks, csv) {
            let fields = row.split(separator: ",")
            let expected = (
                id: Int64(fields[0]), price: String(fields[1]), quantity: String(fields[2]), time: Int64(fields[4]),
                buyerIsMaker: fields[5] == "true"
            )
            if tick.tradeID != expected.id || tick.price.description != expected.price
                || tick.quantity.description != expected.quantity || tick.time.milliseconds != expected.time
                || (tick.aggressor == .sell) != expected.buyerIsMaker
            {
                mismatches += 1
                if mismatches < 5 { Issue.record("tick \(tick) differs from CSV row \(row)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func benchmarkDecodesTheRecordingsTrades() throws {
        let lines = try BinanceDecodeBenchmark.tradeMessages(
            fromRecordingAt: Fixture.url("binance-usdm-btcusdt-2024-08-08.ws.gz").path)
        let result = BinanceDecodeBenchmark.run(lines: lines, repetitions: 2)
        #expect(lines.count == 21_313)
        #expect(result.messages == 42_626)
        #expect(result.trades == 42_626)
        #expect(result.seconds > 0)
    }
}
