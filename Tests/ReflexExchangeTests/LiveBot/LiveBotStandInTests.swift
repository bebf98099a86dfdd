import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ReflexCore
import ReflexLive
import ReflexWebhook
import ServiceLifecycle
import Synchronization
import Testing

@testable import ReflexExchange

/// `reflex run`'s assembly (`LiveBot`) against a venue stand-in on loopback: the same engine and strategy file as
/// Binance, configured by a deployment config that names the venue and overrides its URLs.
@Suite("LiveBot against venue stand-ins")
struct LiveBotStandInTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func deployment(
        venue: String, exchange: String, folder: URL, symbol: String = "BTCUSDT",
        strategy: String = "donchian-trend"
    ) throws -> Deployment {
        let config = """
            {
              "venue": "\(venue)",
              "symbols": ["\(symbol)"],
              "strategy": "\(repoRoot.appendingPathComponent("Strategies/\(strategy).json").path)",
              "exchange": \(exchange),
              "listener": { "host": "127.0.0.1", "port": 0, "secretEnvs": ["S_WEBHOOK"] },
              "control": { "secretEnv": "S_CONTROL" },
              "stateDirectory": "\(folder.path)"
            }
            """
        let path = folder.appendingPathComponent("config.json").path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return try Deployment.load(configPath: path)
    }

    /// Twenty-five 5 s bars around 61 800 (the channel and ATR warm up), then a breakout above them.
    static func warmUpThenBreakout(start: Int64) -> [(
        id: String, time: Int64, side: String, size: String, price: String
    )] {
        var trades: [(String, Int64, String, String, String)] = []
        for bar in 0..<25 {
            let t = start + Int64(bar) * 5_000
            trades.append(("w-\(bar)-a", t, "Buy", "0.010", "61805.0"))
            trades.append(("w-\(bar)-b", t + 1_000, "Sell", "0.010", "61795.0"))
        }
        trades.append(("breakout", start + 25 * 5_000 + 500, "Buy", "0.500", "61900.0"))
        trades.append(("after", start + 25 * 5_000 + 900, "Buy", "0.010", "61901.0"))
        return trades.map { (id: $0.0, time: $0.1, side: $0.2, size: $0.3, price: $0.4) }
    }

    static let controlSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"

    /// Runs `LiveBot` with `deployment` while `drive` feeds the stand-in and checks it, handed the port the bot's
    /// listener took (port 0 in the config: no port can be taken by someone else first). Then shuts the bot down
    /// gracefully, as SIGTERM would.
    static func whileBotRuns(
        _ deployment: Deployment, key: String, secret: String,
        _ drive: @escaping @Sendable (_ listenerPort: Int) async throws -> Void
    ) async throws {
        let secrets = SecretStore(
            environment: [
                "S_KEY": key, "S_SECRET": secret, "S_WEBHOOK": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "S_CONTROL": controlSecret,
            ], dotEnvPath: nil)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var bot = LiveBot(deployment: deployment, logger: testLogger("livebot"))
        bot.onListening = { portContinuation.yield($0) }
        let services = ServiceGroup(services: [BotService(bot: bot, secrets: secrets)], logger: testLogger("bot"))
        try await withTimeout(.seconds(120)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { portContinuation.finish() }
                    try await services.run()
                }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else {
                    try await group.waitForAll()  // the bot stopped before it listened: its error
                    throw BotDidNotListen()
                }
                let outcome: Result<Void, any Error>
                do {
                    outcome = .success(try await drive(port))
                } catch {
                    outcome = .failure(error)
                }
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                try outcome.get()
            }
        }
    }

    /// `LiveBot` as a service, so that a test can shut it down gracefully rather than cancel it.
    struct BotService: Service {
        let bot: LiveBot
        let secrets: SecretStore
        func run() async throws { try await bot.run(secrets: secrets) }
    }

    struct BotDidNotListen: Error {}

    /// Polls `read` until it returns two orders (the stop and the target) or 60 s pass (only when they never come).
    static func protectiveOrders<Order>(_ read: () -> [Order]) async throws -> [Order] {
        let deadline = ContinuousClock.now + .seconds(60)
        var orders = read()
        while orders.count != 2 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            orders = read()
        }
        return orders
    }

    /// Runs `LiveBot` against a Bybit stand-in, warms the market up and breaks out, and hands `drive` the control
    /// client once the entry's fill has brought a reduce-only stop and target to the venue.
    static func whileBybitBotHoldsAPosition(
        _ venue: BybitStandIn, _ drive: @escaping @Sendable ([BybitStandIn.Order], ControlClient) async throws -> Void
    ) async throws {
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        try await withLoopbackServer(router) { port in
            let deployment = try Self.deployment(
                venue: "bybit-testnet",
                exchange: """
                    { "apiKeyEnv": "S_KEY", "apiSecretEnv": "S_SECRET", "restURL": "http://127.0.0.1:\(port)",
                      "streamURL": "ws://127.0.0.1:\(port)/v5/public/linear",
                      "privateStreamURL": "ws://127.0.0.1:\(port)/v5/private" }
                    """, folder: Self.scratchFolder())
            try await Self.whileBotRuns(deployment, key: BybitStandIn.apiKey, secret: BybitStandIn.secret) {
                listenerPort in
                try await venue.publicHub.waitFor("publicTrade.BTCUSDT", timeout: .seconds(60))
                // The fill goes out on the private stream only: it must be subscribed before the entry is.
                try await venue.privateHub.waitFor("execution", timeout: .seconds(60))
                venue.state.withLock { $0.lastPrice = "61900.0" }
                _ = venue.publish(Self.warmUpThenBreakout(start: VenueFixture.now - 200_000))
                let protective = try await Self.protectiveOrders {
                    venue.state.withLock { $0.orders.filter { !$0.triggerPrice.isEmpty } }
                }
                #expect(protective.count == 2)
                try await drive(
                    protective,
                    ControlClient(
                        baseURL: "http://127.0.0.1:\(listenerPort)", secret: try WebhookSecret(Self.controlSecret)))
            }
        }
    }

    /// Runs `LiveBot` against a Deribit stand-in, warms the market up and breaks out, and hands `drive` the stop and
    /// target at the venue and the control client once the entry's fill has brought them.
    static func whileDeribitBotHoldsAPosition(
        _ venue: DeribitStandIn,
        _ drive: @escaping @Sendable ([DeribitStandIn.Order], ControlClient) async throws -> Void
    ) async throws {
        let router = Router(context: BasicWebSocketRequestContext.self)
        venue.register(on: router)
        try await withLoopbackServer(router) { port in
            let deployment = try Self.deployment(
                venue: "deribit-testnet",
                exchange: """
                    { "apiKeyEnv": "S_KEY", "apiSecretEnv": "S_SECRET",
                      "streamURL": "ws://127.0.0.1:\(port)/ws/api/v2" }
                    """, folder: Self.scratchFolder(),
                symbol: "BTC-PERPETUAL", strategy: "donchian-trend-deribit")
            try await Self.whileBotRuns(deployment, key: DeribitStandIn.clientID, secret: DeribitStandIn.clientSecret) {
                listenerPort in
                try await venue.hub.waitFor("trades.BTC-PERPETUAL.raw", timeout: .seconds(60))
                // The fill goes out on the private channels only: they must be subscribed before the entry is.
                try await venue.hub.waitFor("user.trades.BTC-PERPETUAL.raw", timeout: .seconds(60))
                let tape = Self.warmUpThenBreakout(start: VenueFixture.now - 200_000)
                venue.publish(
                    tape.enumerated().map {
                        (Int64($0.offset + 1), $0.element.price, 10, $0.element.side.lowercased())
                    },
                    times: tape.map(\.time))
                let protective = try await Self.protectiveOrders {
                    venue.state.withLock { $0.orders.filter { $0.trigger != nil } }
                }
                #expect(protective.count == 2)
                try await drive(
                    protective,
                    ControlClient(
                        baseURL: "http://127.0.0.1:\(listenerPort)", secret: try WebhookSecret(Self.controlSecret)))
            }
        }
    }

    static func scratchFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("livebot-\(UUID().uuidString)")
    }

    @Test("Bybit: ticks stream in, a breakout is bought, the fill brings the stop and target to the venue")
    func bybit() async throws {
        // The entry fills at once; the engine answers with a reduce-only stop and target.
        try await Self.whileBybitBotHoldsAPosition(BybitStandIn()) { protective, control in
            #expect(protective.allSatisfy { $0.reduceOnly && $0.side == "Sell" })
            #expect(Set(protective.map { String($0.linkID.split(separator: "-").last ?? "") }) == ["sl", "tp"])
            let (status, body) = try await control.send(.status)
            #expect(status == 200)
            #expect(body.contains("\"fills\":1"), "\(body)")
        }
    }

    @Test("Bybit: a position gone at the venue unseen; the flatten meets 110017, the bot reads the venue and adopts it")
    func bybitContradictionReconciles() async throws {
        let venue = BybitStandIn()
        try await Self.whileBybitBotHoldsAPosition(venue) { _, control in
            // The position closes at the venue and nothing reports it (a lost fill, a close by hand).
            let createsBefore = venue.state.withLock { state in
                state.position = 0
                state.orders = []
                return state.createBodies.count
            }
            let (flattenStatus, _) = try await control.send(.flatten)
            #expect(flattenStatus == 200)
            var status: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let (_, body) = try await control.send(.status)
                let answer = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                status = answer?["bot"] as? [String: Any] ?? [:]
                let sync = status["reconciliation"] as? [String: Any] ?? [:]
                if Quantity(status["position"] as? String ?? "")?.isZero == true,
                    sync["inProgress"] as? Bool == false
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(Quantity(status["position"] as? String ?? "")?.isZero == true, "\(status)")
            let sync = status["reconciliation"] as? [String: Any] ?? [:]
            #expect((sync["differences"] as? Int ?? 0) >= 1, "\(sync)")
            #expect((status["workingOrders"] as? [Any])?.isEmpty == true, "\(status)")
            // One close was tried and answered 110017; none after it.
            try await Task.sleep(for: .milliseconds(500))
            let creates = venue.state.withLock { Array($0.createBodies[createsBefore...]) }
            #expect(creates.count == 1, "\(creates)")
        }
    }

    @Test(
        "Bybit with private messages doubled and overtaking one another: bot and venue agree through entry and flatten")
    func bybitDuplicatedAndReorderedPrivateStream() async throws {
        let venue = BybitStandIn()
        venue.privateFaults.settings.withLock { faults in
            faults.duplicate = true
            faults.reorder = true
        }
        try await Self.whileBybitBotHoldsAPosition(venue) { _, control in
            func bot() async throws -> [String: Any] {
                let (_, body) = try await control.send(.status)
                let answer = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                return answer?["bot"] as? [String: Any] ?? [:]
            }
            func agree(_ expectedFlat: Bool) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    let status = try await bot()
                    let (position, orders) = venue.state.withLock { ($0.position, $0.orders.map(\.linkID)) }
                    let local = Decimal(string: status["position"] as? String ?? "") ?? -1
                    let working = (status["workingOrders"] as? [[String: Any]] ?? []).compactMap {
                        $0["clientOrderId"] as? String
                    }
                    if local == position && Set(working) == Set(orders) && (position == 0) == expectedFlat {
                        return true
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return false
            }
            #expect(try await agree(false), "bot and venue agree on the open, protected position")
            // Every fill, order and position message arrived twice and out of order: applied once.
            #expect((try await bot())["fills"] as? Int == 1)
            let (flatten, _) = try await control.send(.flatten)
            #expect(flatten == 200)
            #expect(try await agree(true), "bot and venue agree on flat after the flatten")
            let closes = venue.state.withLock { state in
                state.createBodies.filter { $0.contains(#""reduceOnly":true"#) && !$0.contains("triggerPrice") }
            }
            #expect(closes.count == 1, "one close, no storm: \(closes)")
        }
    }

    @Test("Deribit: the same engine over JSON-RPC; sizes go out in USD contracts; the fill brings stop and target")
    func deribit() async throws {
        let venue = DeribitStandIn()
        try await Self.whileDeribitBotHoldsAPosition(venue) { protective, _ in
            #expect(protective.allSatisfy { $0.reduceOnly && $0.direction == "sell" && $0.amount % 10 == 0 })
            let position = venue.state.withLock { $0.positionUSD }
            #expect(position > 0 && position % 10 == 0, "bought in whole USD contracts: \(position)")
        }
    }

    @Test(
        "Deribit with private notifications doubled and overtaking one another: bot and venue agree through entry and flatten"
    )
    func deribitDuplicatedAndReorderedPrivateStream() async throws {
        let venue = DeribitStandIn()
        venue.privateFaults.settings.withLock { faults in
            faults.duplicate = true
            faults.reorder = true
        }
        try await Self.whileDeribitBotHoldsAPosition(venue) { _, control in
            func bot() async throws -> [String: Any] {
                let (_, body) = try await control.send(.status)
                let answer = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                return answer?["bot"] as? [String: Any] ?? [:]
            }
            // Positions are in different units (BTC in the bot, USD contracts at Deribit): compare open/flat and
            // the working orders.
            func agree(flat: Bool) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(30)
                var last = ""
                while ContinuousClock.now < deadline {
                    let status = try await bot()
                    let (usd, orders) = venue.state.withLock {
                        (
                            $0.positionUSD,
                            $0.orders.filter { $0.state == "open" || $0.state == "untriggered" }.map(\.label)
                        )
                    }
                    let localFlat = Quantity(status["position"] as? String ?? "")?.isZero
                    let working = (status["workingOrders"] as? [[String: Any]] ?? []).compactMap {
                        $0["clientOrderId"] as? String
                    }
                    if localFlat == flat && (usd == 0) == flat && Set(working) == Set(orders) { return true }
                    last =
                        "bot \(status["position"] ?? "?") \(working.sorted()); venue \(usd) USD \(orders.sorted())"
                    try await Task.sleep(for: .milliseconds(100))
                }
                Issue.record("never agreed: \(last)")
                return false
            }
            let agreed = try await agree(flat: false)
            #expect(agreed, "bot and venue agree on the open, protected position")
            let fills = try await bot()["fills"] as? Int
            #expect(fills == 1, "the doubled, reordered fill is applied once")
            let (flatten, _) = try await control.send(.flatten)
            #expect(flatten == 200)
            let flat = try await agree(flat: true)
            #expect(flat, "bot and venue agree on flat after the flatten")
        }
    }
}
