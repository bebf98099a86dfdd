import Foundation
import Testing

@testable import ReflexCore

@Suite("Strategy files")
struct StrategyFileTests {
    static let valid = """
        { "name": "t", "symbol": "BTCUSDT", "barInterval": "5s", "mode": "range",
          "channel": { "entry": 20, "exit": 10 }, "atr": 14, "volatility": 20,
          "stops": { "stopATR": 2, "takeProfitATR": 4, "trailingATR": 3 },
          "sizing": { "riskFraction": 0.01, "maxLeverage": 3, "maxNotional": "25000" },
          "fees": { "maker": 0.0002, "taker": 0.0005 },
          "instrument": { "tickSize": "0.10", "stepSize": "0.001", "minQuantity": "0.001", "minNotional": "100" },
          "regimeDetector": { "trendAbove": 8, "rangeBelow": 4, "confirmBars": 3 } }
        """

    @Test("A complete file decodes into exact parameters")
    func decodes() throws {
        let p = try StrategyFile.decode(Self.valid)
        #expect(p.symbol == "BTCUSDT")
        #expect(p.barInterval == .seconds(5))
        #expect(p.initialMode == .range)
        #expect(p.channelLength == 20 && p.exitChannelLength == 10)
        #expect(p.maxNotional == Money("25000"))
        #expect(p.instrument.tickSize.description == "0.10")
        #expect(p.regimeDetector == RegimeDetectorRule(trendAbove: 8, rangeBelow: 4, confirmBars: 3))
    }

    @Test("The shipped strategy files decode")
    func shippedFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for name in ["donchian-trend", "donchian-range"] {
            let text = try String(contentsOf: root.appendingPathComponent("Strategies/\(name).json"), encoding: .utf8)
            let p = try StrategyFile.decode(text)
            #expect(p.name == name)
        }
    }

    func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try StrategyFile.decode(text)
            return nil
        } catch { return error }
    }

    @Test(
        "Errors name the key path and what is allowed",
        arguments: [
            (#"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","chanel":{}}"#, "chanel", "unknown key"),
            (
                #"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","channel":{"entry":20,"exitt":5}}"#,
                "channel.exitt", "unknown key"
            ),
            (#"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","atr":"14"}"#, "atr", "expected an integer in 1…1000"),
            (
                #"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","sizing":{"riskFraction":0.5}}"#,
                "sizing.riskFraction", "expected a number in (0, 0.1]"
            ),
            (
                #"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","sizing":{"riskFraction":0}}"#,
                "sizing.riskFraction", "(0, 0.1]"
            ),
            (#"{"name":"t","symbol":"BTCUSDT","barInterval":"5x"}"#, "barInterval", "expected a bar length"),
            (
                #"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","mode":"sideways"}"#, "mode",
                "expected one of \"trend\", \"range\""
            ),
            (#"{"name":"t","barInterval":"5s"}"#, "symbol", "is required"),
            (
                #"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","instrument":{"tickSize":"-0.1"}}"#,
                "instrument.tickSize", "positive decimal"
            ),
            (
                #"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","channel":{"entry":10,"exit":20}}"#, "channel.exit",
                "must not exceed"
            ),
            (
                #"{"name":"t","symbol":"BTCUSDT","barInterval":"5s","regimeDetector":{"trendAbove":2,"rangeBelow":4}}"#,
                "regimeDetector.rangeBelow", "must be below"
            ),
        ])
    func namedErrors(text: String, path: String, message: String) throws {
        let failure = try #require(error(text), "should fail: \(text)")
        #expect(failure.path == path)
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    @Test("Broken JSON is an error with its line and column, never a crash")
    func brokenJSON() throws {
        let failure = try #require(error("{\n  \"name\": \"t\",\n  \"symbol\": }"))
        #expect(failure.message.contains("line 3"))
        #expect(error(#"{"name":"a","name":"b"}"#)?.message.contains("duplicate key") == true)
        #expect(error("[]")?.message.contains("expected an object") == true)
    }
}
