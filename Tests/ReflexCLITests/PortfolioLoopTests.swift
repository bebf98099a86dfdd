import Foundation
import Logging
import ReflexCore
import ReflexExchange
import Testing

/// Two markets in one bot, as a user runs it: `reflex venue` replaying BTCUSDT and ETHUSDT on one port, `reflex run`
/// with a two-market config behind a total-notional cap, per-market commands through the CLI and a webhook, and a
/// `kill -9` and restart that recovers both markets.
@Suite("reflex run with two markets against reflex venue", .serialized)
struct PortfolioLoopTests {
    static let cap = 30_000.0

    static func makeBot() throws -> LiveLoopTests.Bot {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reflex-pf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let venuePort = LoopbackPort.free()
        let listenerPort = LoopbackPort.free(excluding: [venuePort])
        let config = """
            {
              "venue": "binance",
              "markets": [
                { "symbol": "BTCUSDT", "strategy": "Strategies/donchian-trend.json" },
                { "symbol": "ETHUSDT", "strategy": "Strategies/donchian-range-eth.json" }
              ],
              "exchange": { "apiKeyEnv": "T_KEY", "apiSecretEnv": "T_SECRET",
                            "restURL": "http://127.0.0.1:\(venuePort)", "streamURL": "ws://127.0.0.1:\(venuePort)" },
              "listener": { "host": "127.0.0.1", "port": \(listenerPort), "secretEnvs": ["T_WEBHOOK"] },
              "control": { "secretEnv": "T_CONTROL" },
              "risk": { "maxPositionNotional": "25000", "maxDailyLoss": "5000" },
              "portfolio": { "maxTotalNotional": "\(Int(cap))", "maxOrdersPerMinute": 200 },
              "stateDirectory": "\(folder.path)/state",
              "record": true, "logFormat": "json"
            }
            """
        let configPath = folder.appendingPathComponent("portfolio.json").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        return LiveLoopTests.Bot(
            folder: folder, configPath: configPath, venuePort: venuePort, listenerPort: listenerPort,
            environment: [
                "T_KEY": "test-key", "T_SECRET": "test-secret",
                "T_WEBHOOK": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "T_CONTROL": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            ])
    }

    static func market(_ status: [String: Any], _ symbol: String) -> [String: Any] {
        (status["markets"] as? [[String: Any]] ?? []).first { $0["symbol"] as? String == symbol } ?? [:]
    }

    static func number(_ value: Any?) -> Double { Double((value as? String) ?? "") ?? 0 }

    @Test(
        "Both markets trade; the cap holds the second entry; per-market mode by CLI and webhook; kill -9 recovers both")
    func twoMarkets() async throws {
        let bot = try Self.makeBot()
        let venue = try ReflexProcess.start(
            [
                "venue", "--ticks", "Data/BTCUSDT-trades-2024-08-08-2354.csv", "--ticks",
                "Data/ETHUSDT-trades-2024-08-08-spot.csv", "--port", "\(bot.venuePort)", "--speed", "50", "--loop",
                "--api-key-env", "T_KEY", "--api-secret-env", "T_SECRET",
                "--webhook-url", "http://127.0.0.1:\(bot.listenerPort)/webhooks/events", "--webhook-secret-env",
                "T_WEBHOOK",
            ], environment: bot.environment)
        defer { venue.terminate() }
        var run = try ReflexProcess.start(["run", "--config", bot.configPath], environment: bot.environment)
        defer { run.terminate() }

        // Both markets' ticks flow through one bot.
        let flowing = try #require(
            try await LiveLoopTests.waitFor(bot) { s in
                ["BTCUSDT", "ETHUSDT"].allSatisfy { (Self.market(s, $0)["ticks"] as? Int ?? 0) > 100 }
            })
        #expect((flowing["markets"] as? [[String: Any]])?.count == 2)
        #expect(flowing["mode"] == nil, "several markets: no one market's fields at the top level")

        // One market opens; while it is open, the other's entry is held by the total-notional cap and never sent.
        var capHeld: [String: Any]?
        var largest = 0.0
        let deadline = ContinuousClock.now + .seconds(240)
        while ContinuousClock.now < deadline {
            guard let s = try await LiveLoopTests.status(bot) else { continue }
            let portfolio = s["portfolio"] as? [String: Any] ?? [:]
            largest = max(largest, Self.number(portfolio["totalNotional"]))
            if ((portfolio["heldEntries"] as? [String: Any])?["maxTotalNotional"] as? Int ?? 0) > 0 {
                capHeld = s
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let held = try #require(capHeld, "the cap never held an entry (largest total notional \(largest))")
        let heldPortfolio = held["portfolio"] as? [String: Any] ?? [:]
        #expect(Self.number(heldPortfolio["totalNotional"]) <= Self.cap, "\(heldPortfolio)")
        #expect(largest <= Self.cap)
        let log = try String(contentsOf: run.log, encoding: .utf8)
        let heldLine = try #require(
            log.split(separator: "\n").first { $0.contains("portfolio maxTotalNotional") && $0.contains("entryHeld") })
        // The notice reads "<client order id>: portfolio maxTotalNotional: …".
        let object = try #require(try JSONSerialization.jsonObject(with: Data(heldLine.utf8)) as? [String: String])
        let heldID = try #require(object["message"]?.split(separator: ":").first.map(String.init))
        #expect(!log.contains("\"clientOrderId\":\"\(heldID)\""), "the held entry \(heldID) was never sent")

        // Per-market mode: the CLI with --symbol changes one market only.
        let cli = try await ReflexProcess.run(
            ["mode", "trend", "--symbol", "ETHUSDT", "--config", bot.configPath], environment: bot.environment)
        #expect(cli.status == 0, "\(cli.stderr)")
        let afterCLI = try #require(try await LiveLoopTests.status(bot))
        #expect(Self.market(afterCLI, "ETHUSDT")["mode"] as? String == "trend")
        #expect(Self.market(afterCLI, "BTCUSDT")["mode"] as? String == "trend")
        let unknown = try await ReflexProcess.run(
            ["pause", "--symbol", "SOLUSDT", "--config", bot.configPath], environment: bot.environment)
        #expect(unknown.status != 0 && unknown.stderr.contains("422") && unknown.stderr.contains("SOLUSDT"))

        // A signed regime.shift naming a market switches that one.
        let time = Int(Date().timeIntervalSince1970 * 1000)
        let webhook = try await ReflexProcess.run(
            [
                "webhook", "send", "--url", "http://127.0.0.1:\(bot.listenerPort)/webhooks/events", "--secret-env",
                "T_WEBHOOK", "--type", "regime.shift", "--data",
                #"{"mode":"range","symbol":"BTCUSDT","reason":"test","time":\#(time)}"#,
            ], environment: bot.environment)
        #expect(webhook.status == 0, "\(webhook.stdout) \(webhook.stderr)")
        let afterWebhook = try #require(
            try await LiveLoopTests.waitFor(bot) { Self.market($0, "BTCUSDT")["mode"] as? String == "range" })
        #expect(Self.market(afterWebhook, "BTCUSDT")["mode"] as? String == "range")
        #expect(Self.market(afterWebhook, "ETHUSDT")["mode"] as? String == "trend")
        // …and one for a market the bot does not trade is refused, naming the field, and kept.
        let untraded = try await ReflexProcess.run(
            [
                "webhook", "send", "--url", "http://127.0.0.1:\(bot.listenerPort)/webhooks/events", "--secret-env",
                "T_WEBHOOK", "--type", "regime.shift", "--data",
                #"{"mode":"range","symbol":"SOLUSDT","time":\#(time)}"#,
            ], environment: bot.environment)
        #expect(untraded.status != 0)
        #expect((untraded.stdout + untraded.stderr).contains("422"), "\(untraded.stdout) \(untraded.stderr)")
        let deadLetter = try String(
            contentsOf: bot.folder.appendingPathComponent("state/dead-letter.jsonl"), encoding: .utf8)
        #expect(deadLetter.contains("SOLUSDT") && deadLetter.contains("symbol"))

        // kill -9 and restart: both markets come back from the journal and end equal to the venue, market by market.
        let before = try #require(try await LiveLoopTests.status(bot))
        run.kill()
        run = try ReflexProcess.start(["run", "--config", bot.configPath], environment: bot.environment)
        let restarted = try #require(
            try await LiveLoopTests.waitFor(bot) { s in
                ["BTCUSDT", "ETHUSDT"].allSatisfy {
                    (Self.market(s, $0)["ticks"] as? Int ?? 0) > (Self.market(before, $0)["ticks"] as? Int ?? 0)
                }
            })
        for symbol in ["BTCUSDT", "ETHUSDT"] {
            #expect(
                (Self.market(restarted, symbol)["fills"] as? Int ?? 0)
                    >= (Self.market(before, symbol)["fills"] as? Int ?? 0), "\(symbol) fills survive")
        }
        #expect(Self.market(restarted, "BTCUSDT")["mode"] as? String == "range", "modes survive the restart")
        #expect(Self.market(restarted, "ETHUSDT")["mode"] as? String == "trend")
        let venueClient = BinanceExchange(
            urls: .local(port: bot.venuePort), credentials: .init(apiKey: "test-key", secretKey: "test-secret"),
            configuration: BinanceRESTConfiguration(recvWindow: 60_000, requestTimeout: .seconds(30)),
            logger: Logger(label: "test"))
        var agreed = false
        var last = ""
        let agreeBy = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < agreeBy && !agreed {
            let s = try #require(try await LiveLoopTests.status(bot))
            agreed = true
            last = ""
            for symbol in ["BTCUSDT", "ETHUSDT"] {
                let engine = Self.market(s, symbol)
                let open = try await venueClient.openOrders(symbol: symbol).map(\.clientOrderID.rawValue)
                let position = try await venueClient.positions(symbol: symbol).first?.quantity ?? .zero
                let working = Set(
                    (engine["workingOrders"] as? [[String: Any]] ?? []).compactMap { $0["clientOrderId"] as? String })
                last +=
                    "\(symbol) engine \(working.sorted()) \(engine["position"] ?? "-") venue \(open.sorted()) \(position); "
                if working != Set(open) || Quantity(engine["position"] as? String ?? "") != position { agreed = false }
            }
            if !agreed { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(agreed, "after a restart each market's orders and position match the venue's: \(last)")
        let journal = try String(
            contentsOf: bot.folder.appendingPathComponent("state/journal.log"), encoding: .utf8)
        #expect(journal.hasPrefix("P\t"))
        for file in ["record-BTCUSDT.rticks", "record-ETHUSDT.rticks"] {
            #expect(FileManager.default.fileExists(atPath: bot.folder.appendingPathComponent("state/\(file)").path))
        }
        let metrics = try LiveLoopTests.metrics(bot)
        #expect((metrics[#"reflex_market_ticks_total{symbol="ETHUSDT"}"#] ?? 0) > 0, "\(metrics)")
        #expect(metrics["reflex_unmatched_events_total"] == 0)
    }
}
