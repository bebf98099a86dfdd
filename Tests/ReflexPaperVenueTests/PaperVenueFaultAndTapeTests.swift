import Foundation
import NIOHTTP1
import ReflexCore
import Testing

@testable import ReflexPaperVenue

extension PaperVenueTests {
    @Suite("PaperVenue faults and recorded tapes")
    struct PaperVenueFaultAndTapeTests {
        typealias H = PaperVenueHarness

        static let recording = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(
                "Data/BTCUSDT-trades-2024-08-08-2354.csv"
            ).path

        @Test("a recorded Binance trades file replays as aggTrades with the file's exact strings, every trade once")
        func recordedFileReplays() async throws {
            let lines = try String(contentsOfFile: Self.recording, encoding: .utf8).split(separator: "\n").dropFirst()
            #expect(try Tape.symbol(ofFile: Self.recording) == "BTCUSDT")
            let configuration = PaperVenueConfiguration(
                symbol: "BTCUSDT", tape: .file(path: Self.recording), port: 0, speed: .infinity,
                tapeStart: .onFirstSubscriber)
            try await H.withVenue(configuration) { port in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let started = ContinuousClock.now
                    let inbox = H.connect(url: "ws://127.0.0.1:\(port)/market/ws/btcusdt@aggTrade", in: &group)
                    let messages = try await inbox.wait(count: lines.count, seconds: 120)
                    let elapsed = ContinuousClock.now - started
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    print(
                        "paper venue replay: \(lines.count) aggTrades to one WebSocket client in \(elapsed)"
                            + " (\(Int(Double(lines.count) / seconds)) msg/s)")
                    // Compare whole messages as text: the exact strings are the point, and parsing 21k JSON
                    // objects would dominate the test.
                    var mismatches = 0
                    for (line, message) in zip(lines, messages) {
                        let f = line.split(separator: ",")
                        let expected =
                            #"{"e":"aggTrade","E":\#(f[4]),"s":"BTCUSDT","a":\#(f[0]),"p":"\#(f[1])","q":"\#(f[2])","#
                            + #""f":\#(f[0]),"l":\#(f[0]),"T":\#(f[4]),"m":\#(f[5])}"#
                        if message != expected { mismatches += 1 }
                    }
                    #expect(mismatches == 0)
                    group.cancelAll()
                }
            }
        }

        @Test("the market-stream drop fault closes connections; a reconnect plus REST backfill loses nothing")
        func dropFaultAndBackfill() async throws {
            // A trade every 20 ms for 30 s: the tape outlasts the test however slowly it runs. Connections are
            // dropped after 1 s, time enough for even a starved client to receive some trades first.
            let ticks = H.ticks(Array(repeating: "60000.0", count: 1500), spacing: 20)
            let configuration = H.configuration(
                ticks: ticks, speed: 1, faults: .init(dropMarketStreamEvery: .seconds(1)))
            try await H.withVenue(configuration) { port in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let first = H.connect(url: "ws://127.0.0.1:\(port)/market/ws/btcusdt@aggTrade", in: &group)
                    try await H.withTimeout(30, "the injected drop") {
                        while !first.isFinished { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    let seen = first.messages.compactMap { H.object($0)?["a"] as? Int }
                    let firstSeen = try #require(seen.first)
                    let lastSeen = try #require(seen.last)
                    #expect(seen.count < ticks.count)
                    // Trades go by while disconnected: wait until the venue has published one after the last seen.
                    try await H.withTimeout(30, "a trade while disconnected") {
                        while true {
                            let latest = try await H.send(
                                .GET, port: port, path: "fapi/v1/aggTrades", [("symbol", "BTCUSDT"), ("limit", "1")],
                                signing: .none, apiKey: nil)
                            if let id = latest.array.first?["a"] as? Int, id > lastSeen { return }
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                    let second = H.connect(url: "ws://127.0.0.1:\(port)/market/ws/btcusdt@aggTrade", in: &group)
                    let resumed = try await second.wait(count: 1)
                    let next = try #require(H.object(resumed[0])?["a"] as? Int)
                    #expect(next > lastSeen + 1)
                    let gap = try await H.send(
                        .GET, port: port, path: "fapi/v1/aggTrades",
                        [
                            ("symbol", "BTCUSDT"), ("fromId", String(lastSeen + 1)),
                            ("limit", String(next - lastSeen - 1)),
                        ],
                        signing: .none, apiKey: nil)
                    let backfilled = gap.array.compactMap { $0["a"] as? Int }
                    #expect(seen + backfilled + [next] == Array(firstSeen...next))
                    group.cancelAll()
                }
            }
        }

        @Test("the duplicate-webhook fault posts each delivery twice with the same id")
        func duplicateWebhooks() async throws {
            let receiver = WebhookReceiver(secret: H.webhookSecret)
            try await receiver.run { url in
                let configuration = H.configuration(
                    ticks: H.ticks(["60000.00"]), webhookURL: url, faults: .init(duplicateWebhooks: true))
                try await H.withVenue(configuration) { port in
                    let placed = try await H.send(
                        .POST, port: port, path: "fapi/v1/order",
                        [
                            ("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                            ("quantity", "0.01"), ("price", "50000.0"), ("newClientOrderId", "dup-1"),
                        ])
                    #expect(placed.status == 200)
                    try await H.withTimeout(30, "two deliveries") {
                        while receiver.received.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    let deliveries = receiver.received
                    #expect(deliveries[0].id == deliveries[1].id)
                    #expect(deliveries[0].body == deliveries[1].body)
                    #expect(deliveries.allSatisfy { $0.isSignatureValid })
                    #expect(deliveries[0].type == "order.updated")
                    #expect(deliveries[0].data["status"] as? String == "NEW")
                }
            }
        }

        @Test("the reorder-webhook fault still delivers every event exactly once, each correctly signed")
        func reorderedWebhooks() async throws {
            let receiver = WebhookReceiver(secret: H.webhookSecret)
            try await receiver.run { url in
                let configuration = H.configuration(
                    ticks: H.ticks(["60000.00"]), webhookURL: url, faults: .init(reorderWebhooks: true))
                try await H.withVenue(configuration) { port in
                    for n in 0..<4 {
                        let placed = try await H.send(
                            .POST, port: port, path: "fapi/v1/order",
                            [
                                ("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                                ("quantity", "0.01"), ("price", "50000.0"), ("newClientOrderId", "re-\(n)"),
                            ])
                        #expect(placed.status == 200)
                    }
                    try await H.withTimeout(30, "four deliveries") {
                        while receiver.received.count < 4 { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    try await Task.sleep(for: .seconds(1))  // no fifth (a duplicate) comes after them
                    let deliveries = receiver.received
                    #expect(deliveries.count == 4)
                    #expect(Set(deliveries.map(\.id)).count == 4)
                    let ids = Set(deliveries.compactMap { $0.data["clientOrderId"] as? String })
                    #expect(ids == ["re-0", "re-1", "re-2", "re-3"])
                    #expect(deliveries.allSatisfy { $0.isSignatureValid })
                }
            }
        }
    }
}
