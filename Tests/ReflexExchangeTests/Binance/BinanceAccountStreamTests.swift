import Hummingbird
import HummingbirdWebSocket
import ReflexCore
import ReflexExchange
import Testing

struct BinanceAccountStreamTests {
    @Test func eventsFlowAndAnExpiredListenKeyIsReplaced() async throws {
        let keysIssued = Shared(0)
        let keepAlives = Shared(0)
        let connectedKeys = Shared<[String]>([])
        let fill = try Fixture.text("order_trade_update_fill.json")
        let expired = try Fixture.text("listen_key_expired.json")
        let account = try Fixture.text("account_update.json")
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.post("/fapi/v1/listenKey") { request, _ -> Response in
            guard request.headers[.init("X-MBX-APIKEY")!] == FakeBinanceVenue.apiKey else {
                return FakeBinanceVenue.json(.unauthorized, "{\"code\":-2015,\"msg\":\"Invalid API-key.\"}")
            }
            let number = keysIssued.withLock { count in
                count += 1
                return count
            }
            return FakeBinanceVenue.json(.ok, "{\"listenKey\":\"key-\(number)\"}")
        }
        router.put("/fapi/v1/listenKey") { _, _ -> Response in
            keepAlives.withLock { $0 += 1 }
            return FakeBinanceVenue.json(.ok, "{\"listenKey\":\"key\"}")
        }
        router.ws("/private/ws/:key") { inbound, outbound, context in
            let key = context.requestContext.parameters.get("key") ?? ""
            connectedKeys.withLock { $0.append(key) }
            if key == "key-1" {
                try await outbound.write(.text(fill))
                try await outbound.write(.text("{not json"))
                try await outbound.write(.text(expired))
            } else {
                try await outbound.write(.text(account))
            }
            for try await _ in inbound {}
        }
        try await withLoopbackServer(router) { port in
            let rest = BinanceRESTClient(
                urls: .local(port: port),
                credentials: BinanceCredentials(apiKey: FakeBinanceVenue.apiKey, secretKey: FakeBinanceVenue.secret),
                logger: testLogger("rest"))
            var configuration = ResilientWebSocketTests.fast
            configuration.silenceTimeout = nil
            let stream = BinanceAccountStream(
                rest: rest, configuration: configuration, keepAliveInterval: .milliseconds(50),
                logger: testLogger("account"))
            let events = try await whileRunning(stream) {
                try await withTimeout {
                    var events: [EngineEvent] = []
                    for await event in stream.events {
                        events.append(event)
                        if events.count == 5 { break }
                    }
                    // Let at least one keep-alive go out on the live key.
                    while keepAlives.current == 0 { try await Task.sleep(for: .milliseconds(10)) }
                    return events
                }
            }
            // The reconnect on the new key asks the engine to reconcile: events may have been missed meanwhile.
            #expect(
                events.map(\.kind) == [
                    "orderFilled", "control", "positionChanged", "positionChanged", "positionChanged",
                ])
            if case .control(let command) = events[1] {
                #expect(command.action == .reconcile && command.source == "account stream reconnect")
            }
            if case .orderFilled(let fillEvent) = events.first {
                #expect(fillEvent.clientOrderID == "e-42")
                #expect(fillEvent.price.description == "61800.30")
            }
            #expect(connectedKeys.current == ["key-1", "key-2"])
            #expect(keysIssued.current == 2)
            #expect(stream.statistics.malformed == 1)
            #expect(stream.statistics.listenKeysCreated == 2)
            #expect(keepAlives.current >= 1)
        }
    }
}
