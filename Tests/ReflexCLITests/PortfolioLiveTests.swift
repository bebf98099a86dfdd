import Foundation
import Logging
import ReflexCore
import ReflexExchange
import Testing

extension EndToEnd {
    /// Two markets in one bot, as a user runs them: `reflex venue` replaying BTCUSDT and ETHUSDT on one port and
    /// `reflex run` with a `markets` config and a total-notional cap that one position fits and two do not.
    @Suite("reflex run with two markets against reflex venue", .serialized)
    struct PortfolioLiveTests {
        /// Each position is capped at 5 000 by the risk limits; the account at 7 000 by the portfolio's.
        static let positionCap = 5000.0
        static let totalCap = 7000.0

        static func makeBot() throws -> LiveLoopTests.Bot {
            try LiveLoopTests.makeBot(
                markets: """
                    "markets": [
                      { "symbol": "BTCUSDT", "strategy": "Strategies/donchian-trend.json" },
                      { "symbol": "ETHUSDT", "strategy": "Strategies/donchian-range-eth.json" }
                    ],
                    """,
                extraConfig: """
                    "portfolio": { "maxTotalNotional": "\(Int(totalCap))", "maxOrdersPerMinute": 200 },
                    "reconcileEverySeconds": 10,
                    """,
                maxPositionNotional: Int(positionCap))
        }

        static func markets(_ s: [String: Any]) -> [String: [String: Any]] {
            var bySymbol: [String: [String: Any]] = [:]
            for market in s["markets"] as? [[String: Any]] ?? [] {
                if let symbol = market["symbol"] as? String { bySymbol[symbol] = market }
            }
            return bySymbol
        }

        static func modes(_ s: [String: Any]?) -> [String] {
            let m = s.map(markets) ?? [:]
            return ["BTCUSDT", "ETHUSDT"].map { m[$0]?["mode"] as? String ?? "?" }
        }

        static func webhook(_ bot: LiveLoopTests.Bot, type: String, data: String) async throws -> ReflexProcess.Outcome
        {
            try await ReflexProcess.run(
                [
                    "webhook", "send", "--url", "http://127.0.0.1:\(bot.listenerPort)/webhooks/events", "--secret-env",
                    "T_WEBHOOK", "--type", type, "--data", data,
                ], environment: bot.environment)
        }

        static var nowMillis: Int { Int(Date().timeIntervalSince1970 * 1000) }

        /// The JSON log lines of a run.
        static func logLines(_ run: ReflexProcess.Running) throws -> [[String: String]] {
            try String(contentsOf: run.log, encoding: .utf8).split(separator: "\n").compactMap {
                guard $0.hasPrefix("{") else { return nil }
                return (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: String]
            }
        }

        @Test(
            "Both markets trade from one bot; the total-notional cap holds the second entry; modes switch per symbol; kill -9 recovers both"
        )
        func twoMarkets() async throws {
            let bot = try Self.makeBot()
            let venue = try ReflexProcess.start(
                [
                    "venue", "--ticks", "Data/BTCUSDT-trades-2024-08-08-2354.csv", "--ticks",
                    "Data/ETHUSDT-trades-2024-08-08-spot.csv", "--port", "\(bot.venuePort)", "--speed", "50", "--loop",
                    "--balance", "100000", "--api-key-env", "T_KEY", "--api-secret-env", "T_SECRET", "--webhook-url",
                    "http://127.0.0.1:\(bot.listenerPort)/webhooks/events", "--webhook-secret-env", "T_WEBHOOK",
                ], environment: bot.environment)
            defer { venue.terminate() }
            var run = try ReflexProcess.start(["run", "--config", bot.configPath], environment: bot.environment)
            defer { run.terminate() }

            // Both markets' trades arrive over the one combined stream.
            let flowing = try #require(
                try await LiveLoopTests.waitFor(bot) { s in
                    let m = Self.markets(s)
                    return ["BTCUSDT", "ETHUSDT"].allSatisfy { (m[$0]?["ticks"] as? Int ?? 0) > 100 }
                })
            #expect(Self.markets(flowing).count == 2, "\(flowing)")
            #expect(Self.modes(flowing) == ["trend", "range"], "each market starts in its strategy's mode")

            // Both markets fill, one at a time: with 5 000 a position and 7 000 for the account, the second market's
            // entry is held while the first is open, and the account's notional never passes the cap.
            var largest = 0.0
            let traded = try await LiveLoopTests.waitFor(bot, seconds: 300) { s in
                let total = Double((s["portfolio"] as? [String: Any])?["totalNotional"] as? String ?? "") ?? 0
                largest = max(largest, total)
                let m = Self.markets(s)
                let held = ((s["portfolio"] as? [String: Any])?["heldEntries"] as? [String: Int])?["maxTotalNotional"]
                return ["BTCUSDT", "ETHUSDT"].allSatisfy { (m[$0]?["fills"] as? Int ?? 0) > 0 } && (held ?? 0) > 0
            }
            let portfolio = try #require(traded?["portfolio"] as? [String: Any], "\(String(describing: traded))")
            let m = Self.markets(try #require(traded))
            #expect((m["BTCUSDT"]?["fills"] as? Int ?? 0) > 0, "BTCUSDT traded: \(m)")
            #expect((m["ETHUSDT"]?["fills"] as? Int ?? 0) > 0, "ETHUSDT traded: \(m)")
            let held = (portfolio["heldEntries"] as? [String: Int])?["maxTotalNotional"] ?? 0
            #expect(held > 0, "the cap held an entry: \(portfolio)")
            // A position is worth at most its 5 000 cap plus what the price moved since; two would be near 10 000.
            #expect(largest <= Self.totalCap * 1.02, "total notional \(largest) stayed under the cap")
            #expect(portfolio["unmatchedEvents"] as? Int == 0, "every account event found its market")

            // A held entry is never sent: its client id is in no "order sent" line and not at the venue.
            let logged = try Self.logLines(run)
            let heldIDs = logged.compactMap { line -> String? in
                guard line["kind"] == "entryHeld", let message = line["message"] else { return nil }
                return message.split(separator: ":").first.map(String.init)
            }
            #expect(!heldIDs.isEmpty, "held entries are logged with their client id")
            let sent = Set(logged.filter { $0["message"] == "order sent" }.compactMap { $0["clientOrderId"] })
            #expect(sent.contains { $0.contains("BTCUSDT") } && sent.contains { $0.contains("ETHUSDT") }, "\(sent)")
            #expect(Set(heldIDs).isDisjoint(with: sent), "held \(heldIDs) but sent \(sent)")

            // Per-market series on /metrics.
            let metrics = try LiveLoopTests.metrics(bot)
            #expect((metrics[#"reflex_market_ticks_total{symbol="ETHUSDT"}"#] ?? 0) > 100, "\(metrics.keys.sorted())")
            #expect((metrics[#"reflex_market_ticks_total{symbol="BTCUSDT"}"#] ?? 0) > 100)
            #expect((metrics[#"reflex_portfolio_held_entries_total{limit="maxTotalNotional"}"#] ?? 0) > 0)

            // Per-symbol mode switches: through the CLI, through a signed webhook, then every market at once.
            let btcRange = try await ReflexProcess.run(
                ["mode", "range", "--symbol", "BTCUSDT", "--config", bot.configPath], environment: bot.environment)
            #expect(btcRange.status == 0, "\(btcRange.stderr)")
            #expect(Self.modes(try await LiveLoopTests.status(bot)) == ["range", "range"])
            let ethTrend = try await Self.webhook(
                bot, type: "regime.shift",
                data: #"{"mode":"trend","symbol":"ETHUSDT","reason":"test","time":\#(Self.nowMillis)}"#)
            #expect(ethTrend.status == 0, "\(ethTrend.stdout) \(ethTrend.stderr)")
            let switched = try await LiveLoopTests.waitFor(bot) { Self.modes($0) == ["range", "trend"] }
            #expect(Self.modes(switched) == ["range", "trend"], "only ETHUSDT follows its webhook")
            let allTrend = try await ReflexProcess.run(
                ["mode", "trend", "--config", bot.configPath], environment: bot.environment)
            #expect(allTrend.status == 0, "\(allTrend.stderr)")
            #expect(Self.modes(try await LiveLoopTests.status(bot)) == ["trend", "trend"])

            // A market the bot does not trade: the CLI's request and a webhook are refused, naming the field.
            let unknown = try await ReflexProcess.run(
                ["mode", "range", "--symbol", "SOLUSDT", "--config", bot.configPath], environment: bot.environment)
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("422") && unknown.stderr.contains("SOLUSDT"), "\(unknown.stderr)")
            let foreign = try await Self.webhook(
                bot, type: "regime.shift",
                data: #"{"mode":"range","symbol":"SOLUSDT","reason":"test","time":\#(Self.nowMillis)}"#)
            #expect(foreign.status != 0)
            #expect(foreign.stdout.hasPrefix("422") && foreign.stdout.contains("symbol"), "\(foreign.stdout)")
            let deadLetters = try String(
                contentsOf: bot.folder.appendingPathComponent("state/dead-letter.jsonl"), encoding: .utf8)
            #expect(deadLetters.contains("SOLUSDT"), "the refused webhook is kept whole: \(deadLetters)")
            #expect(Self.modes(try await LiveLoopTests.status(bot)) == ["trend", "trend"], "nothing applied")

            // kill -9 and restart: the journal brings back both markets (modes included); after reconciliation each
            // market's position and working orders are exactly the venue's for its symbol.
            // The kill comes while a market holds a protected position, so that recovery has orders to bring back.
            let before = try #require(
                try await LiveLoopTests.waitFor(bot, seconds: 180) { s in
                    Self.markets(s).values.contains {
                        ($0["position"] as? String).map { Quantity($0)?.isZero == false } == true
                            && LiveLoopTests.protective($0).count == 2
                    }
                })
            let openBefore = Self.markets(before).filter {
                ($0.value["position"] as? String).map { Quantity($0)?.isZero == false } == true
            }
            #expect(!openBefore.isEmpty, "a market held a position at the kill: \(before)")
            run.kill()
            run = try ReflexProcess.start(["run", "--config", bot.configPath], environment: bot.environment)
            let restarted = try #require(
                try await LiveLoopTests.waitFor(bot) { s in
                    let now = Self.markets(s)
                    let then = Self.markets(before)
                    return ["BTCUSDT", "ETHUSDT"].allSatisfy {
                        (now[$0]?["ticks"] as? Int ?? 0) > (then[$0]?["ticks"] as? Int ?? 0)
                    }
                })
            for symbol in ["BTCUSDT", "ETHUSDT"] {
                let now = Self.markets(restarted)[symbol]?["fills"] as? Int ?? 0
                let then = Self.markets(before)[symbol]?["fills"] as? Int ?? 0
                #expect(now >= then, "\(symbol)'s fills survive the restart")
            }
            #expect(Self.modes(restarted) == ["trend", "trend"], "modes survive the restart")

            let venueClient = BinanceExchange(
                urls: .local(port: bot.venuePort), credentials: .init(apiKey: "test-key", secretKey: "test-secret"),
                configuration: BinanceRESTConfiguration(recvWindow: 60_000, requestTimeout: .seconds(30)),
                logger: Logger(label: "test"))
            var agreed: Set<String> = []
            var lastSeen: [String: String] = [:]
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline && agreed.count < 2 {
                let s = try #require(try await LiveLoopTests.status(bot))
                agreed = []
                for symbol in ["BTCUSDT", "ETHUSDT"] {
                    let market = Self.markets(s)[symbol] ?? [:]
                    let open = try await venueClient.openOrders(symbol: symbol)
                    let venuePosition = try await venueClient.positions(symbol: symbol).first?.quantity ?? .zero
                    let ids = open.map(\.clientOrderID.rawValue)
                    #expect(Set(ids).count == ids.count, "no client id twice at the venue")
                    let working = Set(
                        (market["workingOrders"] as? [[String: Any]] ?? []).compactMap {
                            $0["clientOrderId"] as? String
                        })
                    lastSeen[symbol] =
                        "bot \(working.sorted()) \(market["position"] ?? "nil"); venue \(ids.sorted()) \(venuePosition)"
                    if working == Set(ids) && Quantity(market["position"] as? String ?? "") == venuePosition {
                        agreed.insert(symbol)
                        if !venuePosition.isZero {
                            #expect(LiveLoopTests.protective(market).count == 2, "an open position is protected")
                        }
                    }
                }
                if agreed.count < 2 { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(agreed == ["BTCUSDT", "ETHUSDT"], "each market agrees with the venue: \(lastSeen)")

            // The journal tags every record with its market; each market records its own ticks.
            let journal = try String(
                contentsOf: bot.folder.appendingPathComponent("state/journal.log"), encoding: .utf8)
            #expect(journal.hasPrefix("P\t"), "a portfolio journal starts from a portfolio snapshot")
            #expect(journal.contains("\nT\tBTCUSDT,") && journal.contains("\nT\tETHUSDT,"))
            for symbol in ["BTCUSDT", "ETHUSDT"] {
                let recording = try String(
                    contentsOf: bot.folder.appendingPathComponent("state/record-\(symbol).rticks"), encoding: .utf8)
                #expect(recording.hasPrefix("#reflex-ticks v1 symbol=\(symbol)"))
            }
            try? FileManager.default.removeItem(at: bot.folder)
        }
    }
}
