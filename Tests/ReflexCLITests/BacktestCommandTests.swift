import Foundation
import Testing

@Suite("reflex backtest and indicators, run as a process")
struct BacktestCommandTests {
    let sample = "Data/BTCUSDT-trades-2024-08-08-2354.csv"

    @Test("The README's backtest prints a summary and writes the report")
    func readmeBacktest() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reflex-cli-\(UUID().uuidString)").path
        let result = try await ReflexProcess.run([
            "backtest", "--strategy", "Strategies/donchian-trend.json", "--ticks", sample, "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ticks       21313"))
        #expect(result.stdout.contains("net PnL"))
        for file in ["report.html", "trades.csv", "equity.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
        }
        let equity = try String(contentsOfFile: "\(out)/equity.csv", encoding: .utf8)
        #expect(equity.split(separator: "\n").count == 70)  // header + 69 bars
    }

    @Test("--json prints one object with the required keys")
    func json() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reflex-cli-\(UUID().uuidString)").path
        let result = try await ReflexProcess.run([
            "backtest", "--strategy", "Strategies/donchian-range.json", "--ticks", sample, "--json", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let keys = Set(object?.keys.map { $0 } ?? [])
        for key in [
            "ticks", "bars", "trades", "netPnl", "fees", "maxDrawdown", "sharpe", "winRate", "elapsedSeconds",
            "ticksPerSecond",
        ] {
            #expect(keys.contains(key), "\(key)")
        }
        #expect(object?["ticks"] as? Int == 21_313)
    }

    @Test("Two markets in one run: the account's figures, each market's trades, and a limit that binds")
    func portfolio() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reflex-cli-\(UUID().uuidString)").path
        let markets = [
            "--market", "BTCUSDT=Strategies/donchian-trend.json", "--market",
            "ETHUSDT=Strategies/donchian-range-eth.json",
            "--ticks", "Data/ETHUSDT-trades-2024-08-08-spot.csv", "--ticks", sample,
        ]
        let result = try await ReflexProcess.run(["backtest"] + markets + ["--json", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let perMarket = try #require(object["markets"] as? [[String: Any]])
        #expect(perMarket.map { $0["symbol"] as? String } == ["BTCUSDT", "ETHUSDT"])
        #expect(object["ticks"] as? Int == 21_313 + 6_106)
        let trades = try String(contentsOfFile: "\(out)/trades.csv", encoding: .utf8).split(separator: "\n")
        #expect(trades.first?.hasPrefix("symbol,entry_time_ms") == true)
        #expect(trades.dropFirst().count == object["trades"] as? Int)
        // Each market's trades are those of its own one-market run.
        let alone = try await ReflexProcess.run([
            "backtest", "--strategy", "Strategies/donchian-range-eth.json", "--ticks",
            "Data/ETHUSDT-trades-2024-08-08-spot.csv", "--json", "--out", out + "-eth",
        ])
        let aloneObject = try #require(
            try JSONSerialization.jsonObject(with: Data(alone.stdout.utf8)) as? [String: Any])
        #expect(perMarket[1]["trades"] as? Int == aloneObject["trades"] as? Int)
        #expect(perMarket[1]["netPnl"] as? String == aloneObject["netPnl"] as? String)
        let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
        #expect(html.contains("Account equity") && html.contains("id=\"BTCUSDT\"") && html.contains("id=\"ETHUSDT\""))
        for file in ["equity.csv", "BTCUSDT-equity.csv", "ETHUSDT-equity.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
        }

        let capped = try await ReflexProcess.run(["backtest"] + markets + ["--max-open-positions", "1", "--out", out])
        #expect(capped.status == 0, "\(capped.stderr)")
        #expect(capped.stdout.contains("held        entries held back by the portfolio's limits: maxOpenPositions"))

        let wrong = try await ReflexProcess.run([
            "backtest", "--market", "BTCUSDT=Strategies/donchian-range-eth.json", "--ticks", sample,
        ])
        #expect(wrong.status != 0 && wrong.stderr.contains("the strategy file trades ETHUSDT, not BTCUSDT"))
    }

    @Test("A strategy file with a bad value fails in one line naming the key path")
    func badStrategy() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json").path
        try #"{"name":"x","symbol":"BTCUSDT","barInterval":"5s","stops":{"stopATR":0}}"#.write(
            toFile: path, atomically: true, encoding: .utf8)
        let result = try await ReflexProcess.run(["backtest", "--strategy", path, "--ticks", sample])
        #expect(result.status != 0)
        #expect(result.stderr.contains("stops.stopATR"))
        #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
    }

    @Test("A malformed tick file fails naming file, line and column")
    func badTicks() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("BTCUSDT-bad-\(UUID().uuidString).csv")
            .path
        try
            "id,price,qty,quote_qty,time,is_buyer_maker\n1,100,1,100,1723161256322,false\n2,100,x,100,1723161256323,false\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await ReflexProcess.run([
            "backtest", "--strategy", "Strategies/donchian-trend.json", "--ticks", path,
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(path):3: column 3: quantity"))
        let skipped = try await ReflexProcess.run([
            "backtest", "--strategy", "Strategies/donchian-trend.json", "--ticks", path, "--skip-bad-lines",
        ])
        #expect(skipped.status == 0)
        #expect(skipped.stdout.contains("skipped     1 malformed line"))
    }

    @Test("reflex indicators prints the exact header and one row per bar")
    func indicators() async throws {
        let result = try await ReflexProcess.run([
            "indicators", "--ticks", sample, "--bar", "5s", "--donchian", "20", "--atr", "14", "--vol", "20",
        ])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(
            lines.first
                == "open_time_ms,open,high,low,close,volume,trades,donchian_upper,donchian_lower,donchian_middle,atr,volatility"
        )
        #expect(lines.count == 70)
        let bad = try await ReflexProcess.run(["indicators", "--ticks", sample, "--bar", "5 seconds"])
        #expect(bad.status != 0 && bad.stderr.contains("--bar"))
    }

    @Test(
        "Every command explains itself with --help",
        arguments: [["--help"], ["backtest", "--help"], ["indicators", "--help"], ["bench", "--help"]])
    func help(arguments: [String]) async throws {
        let result = try await ReflexProcess.run(arguments)
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
    }
}
