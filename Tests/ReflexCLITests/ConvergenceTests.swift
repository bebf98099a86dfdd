import Foundation
import ReflexCore
import Testing

extension EndToEnd {
    /// `reflex run` against `reflex venue` with the venue's faults switched on, a `kill -9` and a restart in the middle;
    /// at the end the bot's view is compared with the venue's, read over signed REST by an outside reader.
    @Suite("Convergence with the venue under faults", .serialized)
    struct ConvergenceTests {
        static let allFaults = [
            "--unavailable-every", "5", "--rest-delay", "25", "--duplicate-webhooks", "--reorder-webhooks",
            "--drop-stream-every", "20",
        ]
        static let budget = 60

        struct Outcome {
            var converged: Bool
            var secondsToConverge: Double?
            var orders: Int
            var fills: Int
            var position: String
        }

        @Test("Every fault at once and a kill -9: position and working orders end equal to the venue's, within budget")
        func allFaultsAndAKill() async throws {
            let outcome = try await Self.run(faults: Self.allFaults, seconds: 40)
            #expect(outcome.converged)
        }

        /// Each fault alone (the table in the convergence issue's note). Opt-in: six runs take a quarter of an hour.
        @Test(
            "Each fault alone converges too",
            .enabled(if: ProcessInfo.processInfo.environment["REFLEX_FAULT_MATRIX"] == "1"),
            arguments: [
                ["--unavailable-every", "5"], ["--rest-delay", "25"], ["--duplicate-webhooks"], ["--reorder-webhooks"],
                ["--drop-stream-every", "20"], [],
            ])
        func eachFaultAlone(_ faults: [String]) async throws {
            let outcome = try await Self.run(faults: faults, seconds: 40)
            #expect(outcome.converged, "\(faults)")
        }

        static func run(faults: [String], seconds: Int) async throws -> Outcome {
            let bot = try LiveLoopTests.makeBot(
                extraConfig: #""reconcileEverySeconds": 10,"#, risk: #""maxOrdersPerMinute": 60,"#)
            let venue = try ReflexProcess.start(
                [
                    "venue", "--ticks", "Data/BTCUSDT-trades-2024-08-08-2354.csv", "--port", "\(bot.venuePort)",
                    "--speed", "50", "--loop", "--balance", "100000", "--api-key-env", "T_KEY", "--api-secret-env",
                    "T_SECRET", "--webhook-url", "http://127.0.0.1:\(bot.listenerPort)/webhooks/events",
                    "--webhook-secret-env", "T_WEBHOOK",
                ] + faults, environment: bot.environment)
            defer { venue.terminate() }
            let first = try ReflexProcess.start(["run", "--config", bot.configPath], environment: bot.environment)
            defer { first.terminate() }
            _ = try await LiveLoopTests.waitFor(bot) { ($0["ticks"] as? Int ?? 0) > 100 }
            try await Task.sleep(for: .seconds(seconds))
            first.kill()
            let second = try ReflexProcess.start(["run", "--config", bot.configPath], environment: bot.environment)
            defer { second.terminate() }
            _ = try await LiveLoopTests.waitFor(bot) { $0["ticks"] != nil }
            try await Task.sleep(for: .seconds(seconds))
            // The periodic reads run, and their differences are counted where a monitoring system looks.
            let metrics = try LiveLoopTests.metrics(bot)
            #expect((metrics["reflex_reconciliations_total"] ?? 0) >= 2, "\(metrics)")
            #expect(metrics["reflex_reconciliation_differences_total"] != nil)
            let pause = try await ReflexProcess.run(
                ["pause", "--config", bot.configPath], environment: bot.environment)
            #expect(pause.status == 0, "\(pause.stderr)")

            // The venue as an outside reader sees it, against the bot's status, until they agree twice in a row.
            let reader = SignedVenueReader(port: bot.venuePort, apiKey: "test-key", secret: "test-secret")
            let paused = ContinuousClock.now
            var agreedSince: ContinuousClock.Instant?
            var convergedAfter: Double?
            var last = ""
            var status: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                status = try await LiveLoopTests.status(bot) ?? [:]
                let venueOrders = try await reader.openOrderIDs(symbol: "BTCUSDT")
                let venuePosition = try await reader.position(symbol: "BTCUSDT")
                let working = (status["workingOrders"] as? [[String: Any]] ?? []).compactMap {
                    $0["clientOrderId"] as? String
                }
                let local = Decimal(string: status["position"] as? String ?? "") ?? -1
                #expect(Set(venueOrders).count == venueOrders.count, "no client id twice at the venue")
                last = "bot \(local) \(working.sorted()); venue \(venuePosition) \(venueOrders.sorted())"
                if local == venuePosition && Set(working) == Set(venueOrders) {
                    if agreedSince == nil {
                        agreedSince = ContinuousClock.now
                        let waited = ContinuousClock.now - paused
                        convergedAfter =
                            Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
                    }
                    if ContinuousClock.now - agreedSince! >= .seconds(3) { break }
                } else {
                    agreedSince = nil
                    convergedAfter = nil
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            let converged = agreedSince.map { ContinuousClock.now - $0 >= .seconds(3) } ?? false
            #expect(converged, "the bot's view never matched the venue's: \(last)")
            if converged, Decimal(string: status["position"] as? String ?? "") != 0 {
                #expect(LiveLoopTests.protective(status).count == 2, "an open position is protected: \(status)")
            }

            // Both runs' logs: every order is one client id once, no minute holds more than the budget, and nothing
            // that the bot resolves by itself is logged as critical.
            second.terminate()
            var sent: [(ms: Int64, id: String, kind: String)] = []
            var critical: [String] = []
            for run in [first, second] {
                let lines = try String(contentsOf: run.log, encoding: .utf8).split(separator: "\n")
                for line in lines where line.hasPrefix("{") {
                    guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
                    else { continue }
                    if object["level"] == "critical" { critical.append(String(line.prefix(300))) }
                    guard let message = object["message"], message == "order sent" || message == "cancel sent",
                        let at = object["sentAt"].flatMap(Int64.init), let id = object["clientOrderId"]
                    else { continue }
                    sent.append((at, id, message))
                }
            }
            let placed = sent.filter { $0.kind == "order sent" }.map(\.id)
            #expect(Set(placed).count == placed.count, "a client order id was sent twice")
            sent.sort { $0.ms < $1.ms }
            var busiest = 0
            for (i, first) in sent.enumerated() {
                busiest = max(busiest, sent[i...].prefix { $0.ms - first.ms < 60_000 }.count)
            }
            #expect(busiest <= budget, "\(busiest) orders and cancels in one minute against a budget of \(budget)")
            #expect(critical.isEmpty, "\(critical.prefix(5))")
            let fills = status["fills"] as? Int ?? 0
            #expect(!placed.isEmpty && fills > 0, "the run traded: \(placed.count) orders, \(fills) fills")
            print(
                "CONVERGENCE faults=\(faults.joined(separator: " ")) converged=\(converged) after=\(convergedAfter.map { String(format: "%.1f", $0) } ?? "-")s orders=\(placed.count) cancels=\(sent.count - placed.count) busiestMinute=\(busiest) fills=\(fills) position=\(status["position"] ?? "?") reconciliation=\(status["reconciliation"] ?? "?")"
            )
            return Outcome(
                converged: converged, secondsToConverge: convergedAfter, orders: placed.count, fills: fills,
                position: status["position"] as? String ?? "?")
        }
    }
}
