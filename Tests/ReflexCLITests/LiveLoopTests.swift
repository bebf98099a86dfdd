import Foundation
import Logging
import ReflexCore
import ReflexExchange
import Testing

extension EndToEnd {
    /// The whole hybrid loop as a user runs it: `reflex venue` and `reflex run` as two processes on loopback, driven
    /// by the operator commands and a signed webhook, with a `kill -9` and restart in the middle.
    @Suite("reflex run against reflex venue, two processes", .serialized)
    struct LiveLoopTests {
        struct Bot {
            let folder: URL
            let configPath: String
            let venuePort: Int
            let listenerPort: Int
            let environment: [String: String]
        }

        /// A bot config against a `reflex venue` on a free loopback port: one BTCUSDT market unless `markets`
        /// says otherwise (a config fragment ending in a comma), each position capped at `maxPositionNotional`.
        static func makeBot(
            markets: String = #""symbols": ["BTCUSDT"], "strategy": "Strategies/donchian-trend.json","#,
            extraConfig: String = "", risk: String = "", maxPositionNotional: Int = 25000
        ) throws -> Bot {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "reflex-live-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let venuePort = LoopbackPort.free()
            let listenerPort = LoopbackPort.free(excluding: [venuePort])
            let config = """
                {
                  "venue": "binance",
                  \(markets)
                  "exchange": { "apiKeyEnv": "T_KEY", "apiSecretEnv": "T_SECRET",
                                "restURL": "http://127.0.0.1:\(venuePort)", "streamURL": "ws://127.0.0.1:\(venuePort)" },
                  "listener": { "host": "127.0.0.1", "port": \(listenerPort), "secretEnvs": ["T_WEBHOOK"] },
                  "control": { "secretEnv": "T_CONTROL" },
                  "risk": { \(risk) "maxPositionNotional": "\(maxPositionNotional)", "maxDailyLoss": "5000" },
                  \(extraConfig)
                  "stateDirectory": "\(folder.path)/state",
                  "record": true, "logFormat": "json"
                }
                """
            let configPath = folder.appendingPathComponent("live.json").path
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            let environment = [
                "T_KEY": "test-key", "T_SECRET": "test-secret",
                "T_WEBHOOK": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "T_CONTROL": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            ]
            return Bot(
                folder: folder, configPath: configPath, venuePort: venuePort, listenerPort: listenerPort,
                environment: environment)
        }

        static func status(_ bot: Bot) async throws -> [String: Any]? {
            let result = try await ReflexProcess.run(
                ["status", "--json", "--config", bot.configPath], environment: bot.environment)
            guard result.status == 0 else { return nil }
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        }

        /// `GET /metrics` of the bot's listener, as sample name (with labels) → value.
        static func metrics(_ bot: Bot) throws -> [String: Double] {
            let url = URL(string: "http://127.0.0.1:\(bot.listenerPort)/metrics")!
            let text = try String(contentsOf: url, encoding: .utf8)
            var samples: [String: Double] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                    continue
                }
                samples[String(line[..<space])] = value
            }
            return samples
        }

        /// Polls `reflex status --json` until `condition` holds or `seconds` pass (generous: it only matters when
        /// the condition never comes, and a loaded CI machine can be many times slower than a laptop).
        static func waitFor(
            _ bot: Bot, seconds: Int = 90, _ condition: ([String: Any]) -> Bool
        ) async throws -> [String: Any]? {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                if let s = try await status(bot), condition(s) { return s }
                try await Task.sleep(for: .milliseconds(250))
            }
            return try await status(bot)
        }

        /// The stop-loss and take-profit in force (a cancel on its way does not count).
        static func protective(_ s: [String: Any]) -> [String] {
            (s["workingOrders"] as? [[String: Any]] ?? []).compactMap {
                guard $0["cancelRequested"] as? Bool != true else { return nil }
                let purpose = $0["purpose"] as? String
                return purpose == "stopLoss" || purpose == "takeProfit" ? $0["clientOrderId"] as? String : nil
            }
        }

        @Test("Ticks flow, a breakout enters, protection appears, modes switch live, kill -9 recovers the same orders")
        func liveLoop() async throws {
            let bot = try Self.makeBot()
            let venue = try ReflexProcess.start(
                [
                    "venue", "--ticks", "Data/BTCUSDT-trades-2024-08-08-2354.csv", "--port", "\(bot.venuePort)",
                    "--speed", "50", "--loop", "--api-key-env", "T_KEY", "--api-secret-env", "T_SECRET",
                    "--webhook-url", "http://127.0.0.1:\(bot.listenerPort)/webhooks/events", "--webhook-secret-env",
                    "T_WEBHOOK",
                ], environment: bot.environment)
            defer { venue.terminate() }
            var run = try ReflexProcess.start(["run", "--config", bot.configPath], environment: bot.environment)
            defer { run.terminate() }

            // Ticks flow and the engine warms up.
            let flowing = try #require(try await Self.waitFor(bot) { ($0["ticks"] as? Int ?? 0) > 100 })
            #expect((flowing["ticks"] as? Int ?? 0) > 100)

            // A breakout produces an entry; its fill brings the stop-loss and take-profit.
            let protected = try #require(
                try await Self.waitFor(bot, seconds: 180) {
                    ($0["fills"] as? Int ?? 0) > 0 && Self.protective($0).count == 2
                })
            #expect(Self.protective(protected).count == 2, "status: \(protected)")
            #expect((protected["position"] as? String).map { $0 != "0.000" && $0 != "0" } == true)

            // Structured logs: one JSON object a line, each with its time, level and message; every order is logged
            // with its client id and outcome.
            let lines = try String(contentsOf: run.log, encoding: .utf8).split(separator: "\n").filter {
                $0.hasPrefix("{")
            }
            let logged = lines.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: String]
            }
            #expect(!logged.isEmpty && logged.count == lines.count, "every log line is a JSON object of strings")
            #expect(logged.allSatisfy { ($0["time"]?.hasSuffix("Z") ?? false) && $0["level"] != nil })
            #expect(
                logged.contains { $0["message"] == "order sent" && $0["clientOrderId"] != nil && $0["outcome"] != nil },
                "\(lines.prefix(5))")

            // Prometheus metrics count what just happened: ticks, the venue's fill webhooks answered 200, the order's
            // tick-to-order latency, accepted orders.
            let metrics = try Self.metrics(bot)
            #expect((metrics["reflex_ticks_total"] ?? 0) > 100)
            #expect((metrics[#"reflex_webhook_answers_total{status="200"}"#] ?? 0) > 0, "\(metrics)")
            #expect((metrics["reflex_tick_to_order_seconds_count"] ?? 0) > 0)
            #expect((metrics[#"reflex_orders_total{outcome="accepted"}"#] ?? 0) >= 3)
            #expect(metrics["reflex_reconnects_total"] != nil)

            // The operator switches mode live.
            let mode = try await ReflexProcess.run(
                ["mode", "range", "--config", bot.configPath], environment: bot.environment)
            #expect(mode.status == 0, "\(mode.stderr)")
            #expect(try await Self.status(bot)?["mode"] as? String == "range")

            // A signed regime.shift webhook switches it back.
            let webhook = try await ReflexProcess.run(
                [
                    "webhook", "send", "--url", "http://127.0.0.1:\(bot.listenerPort)/webhooks/events", "--secret-env",
                    "T_WEBHOOK", "--type", "regime.shift", "--data",
                    #"{"mode":"trend","reason":"test","time":\#(Int(Date().timeIntervalSince1970 * 1000))}"#,
                ], environment: bot.environment)
            #expect(webhook.status == 0, "\(webhook.stdout) \(webhook.stderr)")
            let trend = try await Self.waitFor(bot) { $0["mode"] as? String == "trend" }
            #expect(trend?["mode"] as? String == "trend")

            // A margin warning (signed webhook) makes the engine reduce the position before liquidation.
            let open = try #require(try await Self.status(bot))
            let size = try #require(Quantity((open["position"] as? String) ?? "")?.magnitude)
            if !size.isZero {
                let warning = try await ReflexProcess.run(
                    [
                        "webhook", "send", "--url", "http://127.0.0.1:\(bot.listenerPort)/webhooks/events",
                        "--secret-env",
                        "T_WEBHOOK", "--type", "margin.warning", "--data",
                        #"{"symbol":"BTCUSDT","marginRatio":"0.92","markPrice":"61000.0","maintenanceMargin":"120.5","time":\#(Int(Date().timeIntervalSince1970 * 1000))}"#,
                    ], environment: bot.environment)
                #expect(warning.status == 0, "\(warning.stdout) \(warning.stderr)")
                let reduced = try await Self.waitFor(bot) {
                    (Quantity(($0["position"] as? String) ?? "")?.magnitude).map { $0 < size } ?? false
                }
                let after = (Quantity((reduced?["position"] as? String) ?? "")?.magnitude) ?? size
                #expect(after < size, "margin defence reduced \(size) to \(after)")
            }

            // kill -9, restart: the journal brings back the engine; after reconciliation its position and working
            // orders are exactly the venue's, with no order placed twice.
            let before = try #require(try await Self.status(bot))
            run.kill()
            run = try ReflexProcess.start(["run", "--config", bot.configPath], environment: bot.environment)
            let after = try #require(
                try await Self.waitFor(bot) { ($0["ticks"] as? Int ?? 0) > (before["ticks"] as? Int ?? 0) })
            #expect((after["fills"] as? Int ?? 0) >= (before["fills"] as? Int ?? 0), "fills survive the restart")
            let venueClient = BinanceExchange(
                urls: .local(port: bot.venuePort), credentials: .init(apiKey: "test-key", secretKey: "test-secret"),
                configuration: BinanceRESTConfiguration(recvWindow: 60_000, requestTimeout: .seconds(30)),
                logger: Logger(label: "test"))
            var agreed = false
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline {
                let engine = try #require(try await Self.status(bot))
                let open = try await venueClient.openOrders(symbol: "BTCUSDT")
                let positions = try await venueClient.positions(symbol: "BTCUSDT")
                let ids = open.map(\.clientOrderID.rawValue)
                #expect(Set(ids).count == ids.count, "no client id twice at the venue")
                let working = Set(
                    (engine["workingOrders"] as? [[String: Any]] ?? []).compactMap { $0["clientOrderId"] as? String })
                let venuePosition = positions.first?.quantity ?? .zero
                print(
                    "DEBUG-AGREE engine=\(working.sorted()) pos=\(engine["position"] ?? "nil") venue=\(ids.sorted()) pos=\(venuePosition)"
                )
                if working == Set(ids) && Quantity(engine["position"] as? String ?? "") == venuePosition {
                    agreed = true
                    if !venuePosition.isZero {
                        #expect(Self.protective(engine).count == 2, "an open position is protected")
                    }
                    break
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(agreed, "after a restart the engine's orders and position match the venue's")
            let journal = bot.folder.appendingPathComponent("state/journal.log").path
            #expect(FileManager.default.fileExists(atPath: journal))
            let recording = try String(
                contentsOfFile: bot.folder.appendingPathComponent("state/record.rticks").path, encoding: .utf8)
            #expect(recording.hasPrefix("#reflex-ticks v1 symbol=BTCUSDT"))
            #expect(recording.contains("#regime,"), "the operator's switch is recorded for replay")
        }

        @Test("A strategy whose price grid is finer than the venue's refuses to start, naming the field")
        func instrumentMismatch() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "reflex-grid-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            // The shipped strategy with a 0.05 tick: BTCUSDT's is 0.10 at the (embedded paper) venue.
            let strategy = try String(
                contentsOf: ReflexProcess.repoRoot.appendingPathComponent("Strategies/donchian-trend.json"),
                encoding: .utf8
            )
            #expect(strategy.contains(#""tickSize": "0.10""#))
            try strategy.replacingOccurrences(of: #""tickSize": "0.10""#, with: #""tickSize": "0.05""#)
                .write(to: folder.appendingPathComponent("fine.json"), atomically: true, encoding: .utf8)
            let venuePort = LoopbackPort.free()
            let listenerPort = LoopbackPort.free(excluding: [venuePort])
            let config = """
                {"venue": "paper", "symbols": ["BTCUSDT"], "strategy": "\(folder.path)/fine.json",
                 "paper": {"port": \(venuePort)}, "listener": {"host": "127.0.0.1", "port": \(listenerPort)},
                 "stateDirectory": "\(folder.path)/state"}
                """
            try config.write(to: folder.appendingPathComponent("paper.json"), atomically: true, encoding: .utf8)
            let bot = try ReflexProcess.start(["run", "--config", folder.appendingPathComponent("paper.json").path])
            let deadline = ContinuousClock.now + .seconds(60)
            while bot.process.isRunning && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            let exited = !bot.process.isRunning
            bot.kill()
            let log = try String(contentsOf: bot.log, encoding: .utf8)
            #expect(exited, "the bot should stop by itself")
            #expect(bot.process.terminationStatus != 0)
            #expect(log.contains("tickSize 0.05 is not a multiple of the venue's 0.10"), "\(log.suffix(600))")
            #expect(!log.contains("order sent"))
        }

        @Test("A config with a typo fails at once with the key path")
        func typo() async throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("typo-\(UUID().uuidString).json")
                .path
            try
                #"{"venue":"paper","symbols":["BTCUSDT"],"strategy":"Strategies/donchian-trend.json","risk":{"maxDailyLos":"5"}}"#
                .write(toFile: path, atomically: true, encoding: .utf8)
            let result = try await ReflexProcess.run(["run", "--config", path])
            #expect(result.status != 0)
            #expect(result.stderr.contains("risk.maxDailyLos"))
            #expect(result.stderr.contains("unknown key"))
        }
    }
}
