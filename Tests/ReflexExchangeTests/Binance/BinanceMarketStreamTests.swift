import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import ReflexCore
import ReflexExchange
import Testing

struct BinanceMarketStreamTests {
    /// 100 real trades from the recording's CSV, renumbered as consecutive aggregate ids from 1000.
    static func tape() throws -> [(id: Int64, json: String)] {
        let rows = try Fixture.text("BTCUSDT-trades-2024-08-08-2354.csv").split(separator: "\n").dropFirst().prefix(100)
        return rows.enumerated().map { offset, row in
            let fields = row.split(separator: ",")
            let id = Int64(1000 + offset)
            let json = """
                {"e":"aggTrade","E":\(fields[4]),"s":"BTCUSDT","a":\(id),"p":"\(fields[1])","q":"\(fields[2])",\
                "f":\(fields[0]),"l":\(fields[0]),"T":\(fields[4]),"m":\(fields[5])}
                """
            return (id, json)
        }
    }

    /// Both ways out of the stream: the `ticks` queue, and the inline sink the engine uses.
    enum Delivery: CaseIterable, Sendable { case queue, sink }

    @Test(arguments: Delivery.allCases)
    func gapAfterReconnectIsBackfilledWithNoLossOrDuplicates(delivery: Delivery) async throws {
        let tape = try Self.tape()
        let backfillRequests = Shared<[String]>([])
        let connections = Shared(0)
        let (dropFirst, dropFirstContinuation) = AsyncStream.makeStream(of: Void.self)
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/market/ws/:stream") { inbound, outbound, context in
            guard context.requestContext.parameters.get("stream") == "btcusdt@aggTrade" else { return }
            let number = connections.withLock { count in
                count += 1
                return count
            }
            if number == 1 {
                for trade in tape[0..<20] { try await outbound.write(.text(trade.json)) }
                try await outbound.write(.text("{\"e\":\"aggTrade\",\"a\":"))  // truncated garbage
                // Drop the connection (ids 1020… are missed) once the client has had trade 1019: a close that comes
                // while the client is still completing its upgrade can lose everything sent before it, and a plain
                // return can lose the last frames written. So: a close handshake, whose frame follows the garbage,
                // and the client's reply ends inbound.
                for await _ in dropFirst { break }
                try await outbound.close(.normalClosure, reason: nil)
                for try await _ in inbound {}
                return
            }
            // After the reconnect the live tape has moved on; it also repeats a few ids already seen.
            for trade in tape[15..<20] { try await outbound.write(.text(trade.json)) }
            for trade in tape[50..<100] { try await outbound.write(.text(trade.json)) }
            for try await _ in inbound {}
        }
        router.get("/fapi/v1/aggTrades") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            backfillRequests.withLock { $0.append(request.uri.query ?? "") }
            let from = parameters["fromId"].flatMap { Int64(String($0)) } ?? 0
            let limit = parameters["limit"].flatMap { Int(String($0)) } ?? 500
            // Binance's REST shape: the stream's fields without e/E/s.
            let page = tape.filter { $0.id >= from }.prefix(limit).map { trade -> String in
                var json = trade.json
                json = json.replacingOccurrences(of: "\"e\":\"aggTrade\",", with: "")
                return json.replacingOccurrences(of: #""E":\d+,"s":"BTCUSDT","#, with: "", options: .regularExpression)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: "[" + page.joined(separator: ",") + "]")))
        }
        try await withLoopbackServer(router) { port in
            let rest = BinanceRESTClient(urls: .local(port: port), credentials: nil, logger: testLogger("rest"))
            let stream = BinanceMarketStream(
                symbol: "BTCUSDT", rest: rest, configuration: ResilientWebSocketTests.fast, backfillPageSize: 8,
                logger: testLogger("market"))
            let ticks: [Tick]
            switch delivery {
            case .queue:
                ticks = try await whileRunning(stream) {
                    try await withTimeout {
                        var ticks: [Tick] = []
                        for await tick in stream.ticks {
                            ticks.append(tick)
                            if tick.tradeID == 1019 { dropFirstContinuation.yield() }
                            if tick.tradeID == 1099 { break }
                        }
                        return ticks
                    }
                }
            case .sink:
                let sunk = Shared<[(tick: Tick, received: ContinuousClock.Instant)]>([])
                let start = ContinuousClock.now
                try await withTimeout {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try await stream.run { tick, received in
                                sunk.withLock { $0.append((tick, received)) }
                                if tick.tradeID == 1019 { dropFirstContinuation.yield() }
                            }
                        }
                        while sunk.current.last?.tick.tradeID != 1099 { try await Task.sleep(for: .milliseconds(5)) }
                        group.cancelAll()
                    }
                }
                ticks = sunk.current.map(\.tick)
                // Live trades carry the instant their message came off the socket, in order; backfilled ones (1020…
                // 1049) the later instant of their REST answer.
                let live = sunk.current.filter { !(1020...1049).contains($0.tick.tradeID) }.map(\.received)
                #expect(live.first.map { $0 >= start } == true)
                #expect(zip(live, live.dropFirst()).allSatisfy { $0 <= $1 }, "arrival instants in order")
                let backfilled = sunk.current.filter { (1020...1049).contains($0.tick.tradeID) }.map(\.received)
                #expect(
                    backfilled.count == 30 && backfilled.allSatisfy { $0 >= live[20] },
                    "fetched after 1050 revealed the gap")
            }
            #expect(ticks.map(\.tradeID) == Array(1000...1099))
            let expected = tape.map { trade -> Tick in
                guard case .trade(let tick) = BinanceParse.trade(trade.json) else { fatalError("fixture") }
                return tick
            }
            #expect(ticks == expected)
            let statistics = stream.statistics
            #expect(statistics.gaps == 1)
            #expect(statistics.backfilled == 30)
            #expect(statistics.duplicates == 5)
            #expect(statistics.malformed == 1)
            #expect(statistics.lost == 0)
            let requests = backfillRequests.current
            #expect(requests.first == "symbol=BTCUSDT&fromId=1020&limit=8")
            #expect(requests.count == 4)  // 8 + 8 + 8 + 6
        }
    }
}
