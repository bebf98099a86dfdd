import Foundation
import NIOHTTP1
import ReflexCore
import Testing

@testable import ReflexPaperVenue

extension PaperVenueTests {
    @Suite("PaperVenue REST")
    struct PaperVenueRESTTests {
        typealias H = PaperVenueHarness

        /// A venue whose tape has not started (no market subscriber): REST only, mark price unknown until a trade.
        static func withIdleVenue(_ body: @Sendable (Int) async throws -> Void) async throws {
            try await H.withVenue(H.configuration(ticks: H.ticks(["60000.00"])), body)
        }

        @Test("the official Binance signature vector verifies, and any change to it does not")
        func officialSignatureVector() throws {
            let authenticator = RequestAuthenticator(
                credentials: .init(
                    apiKey: "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83",
                    secret: "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"))
            let query =
                "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"
            let signature = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
            let key = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83"
            // As a query string, as a form body, and upper-case hex (Binance: "not case sensitive").
            for (q, b) in [
                (query + "&signature=" + signature, ""), ("", query + "&signature=" + signature.uppercased()),
            ] {
                let parameters = RequestParameters(query: q, body: b)
                #expect(throws: Never.self) {
                    try authenticator.authenticate(
                        apiKey: key, parameters: parameters, security: .signed, now: 1_591_702_614_000)
                }
            }
            let tampered = RequestParameters(
                query: query.replacingOccurrences(of: "9000", with: "9001") + "&signature=" + signature, body: "")
            #expect(throws: BinanceAPIError.badSignature) {
                try authenticator.authenticate(
                    apiKey: key, parameters: tampered, security: .signed, now: 1_591_702_614_000)
            }
            // Same request, 6 s later: outside the 5 s recvWindow.
            #expect(throws: BinanceAPIError.staleTimestamp) {
                try authenticator.authenticate(
                    apiKey: key, parameters: RequestParameters(query: query + "&signature=" + signature, body: ""),
                    security: .signed, now: 1_591_702_619_944)
            }
        }

        @Test("public endpoints: time and exchangeInfo with Binance's BTCUSDT filters")
        func publicEndpoints() async throws {
            try await Self.withIdleVenue { port in
                let time = try await H.send(.GET, port: port, path: "fapi/v1/time", signing: .none, apiKey: nil)
                let serverTime = try #require(time.object["serverTime"] as? Int)
                #expect(abs(serverTime - Int(Date().timeIntervalSince1970 * 1000)) < 5000)
                let info = try await H.send(.GET, port: port, path: "fapi/v1/exchangeInfo", signing: .none, apiKey: nil)
                let symbols = try #require(info.object["symbols"] as? [[String: Any]])
                let filters = try #require(symbols.first?["filters"] as? [[String: Any]])
                let byType = Dictionary(uniqueKeysWithValues: filters.map { ($0["filterType"] as! String, $0) })
                #expect(byType["PRICE_FILTER"]?["tickSize"] as? String == "0.10")
                #expect(byType["LOT_SIZE"]?["stepSize"] as? String == "0.001")
                #expect(byType["LOT_SIZE"]?["minQty"] as? String == "0.001")
                #expect(byType["MIN_NOTIONAL"]?["notional"] as? String == "100")
            }
        }

        @Test("signed requests: a good signature passes, a bad one is -1022, a stale timestamp -1021, no key -2014")
        func signedRequestChecks() async throws {
            try await Self.withIdleVenue { port in
                let good = try await H.send(.GET, port: port, path: "fapi/v3/balance")
                #expect(good.status == 200)
                #expect(good.array.first?["balance"] as? String == "10000")
                #expect(good.array.first?["availableBalance"] as? String == "10000")

                let bad = try await H.send(.GET, port: port, path: "fapi/v3/balance", signing: .wrongSecret)
                #expect(bad.status == 400)
                #expect(bad.body == #"{"code":-1022,"msg":"Signature for this request is not valid."}"#)

                let badPost = try await H.send(
                    .POST, port: port, path: "fapi/v1/order",
                    [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "0.01")],
                    signing: .wrongSecret)
                #expect(badPost.status == 400 && badPost.code == -1022)

                let stale = try await H.send(.GET, port: port, path: "fapi/v3/account", timestampOffset: -10_000)
                #expect(stale.status == 400)
                #expect(
                    stale.body == #"{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}"#)

                let ahead = try await H.send(.GET, port: port, path: "fapi/v3/account", timestampOffset: 30_000)
                #expect(ahead.code == -1021)

                let noKey = try await H.send(.GET, port: port, path: "fapi/v3/account", apiKey: nil)
                #expect(noKey.status == 401 && noKey.code == -2014)
                let wrongKey = try await H.send(.GET, port: port, path: "fapi/v3/account", apiKey: "someone-else")
                #expect(wrongKey.status == 401 && wrongKey.code == -2015)

                let unsigned = try await H.send(.GET, port: port, path: "fapi/v3/account", signing: .none)
                #expect(unsigned.status == 400 && unsigned.code == -1102)
            }
        }

        @Test("order validation answers Binance's codes")
        func orderValidation() async throws {
            try await Self.withIdleVenue { port in
                func order(_ extra: [(String, String)]) async throws -> H.RESTResult {
                    try await H.send(.POST, port: port, path: "fapi/v1/order", [("symbol", "BTCUSDT")] + extra)
                }
                let stop = try await order([
                    ("side", "SELL"), ("type", "STOP_MARKET"), ("stopPrice", "59000.0"), ("closePosition", "true"),
                ])
                #expect(stop.status == 400)
                #expect(
                    stop.body
                        == #"{"code":-4120,"msg":"Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."}"#
                )
                let tooSmall = try await order([
                    ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.001"),
                    ("price", "60000.0"),
                ])
                #expect(tooSmall.code == -4164)
                #expect(
                    tooSmall.object["msg"] as? String
                        == "Order's notional must be no smaller than 100 (unless you choose reduce only).")
                let offTick = try await order([
                    ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.01"),
                    ("price", "60000.05"),
                ])
                #expect(offTick.code == -4014)
                let tooPrecise = try await order([
                    ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.0105"),
                    ("price", "60000.0"),
                ])
                #expect(tooPrecise.code == -1111)
                let priceTooPrecise = try await order([
                    ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.01"),
                    ("price", "60000.001"),
                ])
                #expect(priceTooPrecise.code == -1111)
                let noQuantity = try await order([("side", "BUY"), ("type", "MARKET")])
                #expect(noQuantity.code == -1102)
                #expect(
                    noQuantity.object["msg"] as? String
                        == "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.")
                let badSide = try await order([("side", "UP"), ("type", "MARKET"), ("quantity", "0.01")])
                #expect(badSide.code == -1117)
                let tooBig = try await order([
                    ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "10"),
                    ("price", "60000.0"),
                ])
                #expect(tooBig.code == -2019)
                #expect(tooBig.body == #"{"code":-2019,"msg":"Margin is insufficient."}"#)
                let reduceOnly = try await order([
                    ("side", "SELL"), ("type", "MARKET"), ("quantity", "0.01"), ("reduceOnly", "true"),
                ])
                #expect(reduceOnly.code == -2022)

                let ok = try await order([
                    ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.010"),
                    ("price", "50000.0"),
                    ("newClientOrderId", "e-1"),
                ])
                #expect(ok.status == 200)
                #expect(ok.object["status"] as? String == "NEW")
                #expect(ok.object["price"] as? String == "50000.0")
                #expect(ok.object["origQty"] as? String == "0.010")
                #expect(ok.object["clientOrderId"] as? String == "e-1")
                let duplicate = try await order([
                    ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.010"),
                    ("price", "50000.0"),
                    ("newClientOrderId", "e-1"),
                ])
                #expect(duplicate.code == -4116)
            }
        }

        @Test("cancel and query: by client id, by order id, unknown orders")
        func cancelAndQuery() async throws {
            try await Self.withIdleVenue { port in
                let placed = try await H.send(
                    .POST, port: port, path: "fapi/v1/order",
                    [
                        ("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                        ("quantity", "0.01"), ("price", "50000.0"), ("newClientOrderId", "rest-1"),
                    ])
                let orderID = try #require(placed.object["orderId"] as? Int)
                let open = try await H.send(.GET, port: port, path: "fapi/v1/openOrders", [("symbol", "BTCUSDT")])
                #expect(open.array.map { $0["orderId"] as? Int } == [orderID])
                let query = try await H.send(
                    .GET, port: port, path: "fapi/v1/order", [("symbol", "BTCUSDT"), ("orderId", String(orderID))])
                #expect(query.object["clientOrderId"] as? String == "rest-1")
                let canceled = try await H.send(
                    .DELETE, port: port, path: "fapi/v1/order",
                    [("symbol", "BTCUSDT"), ("origClientOrderId", "rest-1")])
                #expect(canceled.status == 200)
                #expect(canceled.object["status"] as? String == "CANCELED")
                let again = try await H.send(
                    .DELETE, port: port, path: "fapi/v1/order",
                    [("symbol", "BTCUSDT"), ("origClientOrderId", "rest-1")])
                #expect(again.body == #"{"code":-2011,"msg":"Unknown order sent."}"#)
                let unknown = try await H.send(
                    .GET, port: port, path: "fapi/v1/order", [("symbol", "BTCUSDT"), ("origClientOrderId", "nope")])
                #expect(unknown.body == #"{"code":-2013,"msg":"Order does not exist."}"#)
                let afterCancel = try await H.send(
                    .GET, port: port, path: "fapi/v1/order", [("symbol", "BTCUSDT"), ("orderId", String(orderID))])
                #expect(afterCancel.object["status"] as? String == "CANCELED")
                let none = try await H.send(.GET, port: port, path: "fapi/v1/openOrders", [("symbol", "BTCUSDT")])
                #expect(none.body == "[]")
            }
        }

        @Test("200 signed place-and-cancel round trips all succeed (latency printed)")
        func placeCancelRoundTrips() async throws {
            try await Self.withIdleVenue { port in
                var latencies: [Duration] = []
                for n in 0..<200 {
                    let started = ContinuousClock.now
                    let placed = try await H.send(
                        .POST, port: port, path: "fapi/v1/order",
                        [
                            ("symbol", "BTCUSDT"), ("side", n % 2 == 0 ? "BUY" : "SELL"), ("type", "LIMIT"),
                            ("timeInForce", "GTC"), ("quantity", "0.002"),
                            ("price", n % 2 == 0 ? "50000.0" : "70000.0"), ("newClientOrderId", "rt-\(n)"),
                        ])
                    latencies.append(ContinuousClock.now - started)
                    #expect(placed.status == 200)
                    let canceled = try await H.send(
                        .DELETE, port: port, path: "fapi/v1/order",
                        [("symbol", "BTCUSDT"), ("origClientOrderId", "rt-\(n)")])
                    #expect(canceled.object["status"] as? String == "CANCELED")
                }
                let open = try await H.send(.GET, port: port, path: "fapi/v1/openOrders")
                #expect(open.body == "[]")
                latencies.sort()
                print(
                    "paper venue POST /fapi/v1/order round trip (debug build, loopback, signed): p50 \(latencies[100]), p99 \(latencies[197])"
                )
            }
        }

        @Test("listenKey: create, keep alive, delete; USER_STREAM needs only the key")
        func listenKeyLifecycle() async throws {
            try await Self.withIdleVenue { port in
                let created = try await H.send(.POST, port: port, path: "fapi/v1/listenKey", signing: .none)
                let key = try #require(created.object["listenKey"] as? String)
                #expect(key.count == 64)
                let same = try await H.send(.POST, port: port, path: "fapi/v1/listenKey", signing: .none)
                #expect(same.object["listenKey"] as? String == key)
                let kept = try await H.send(.PUT, port: port, path: "fapi/v1/listenKey", signing: .none)
                #expect(kept.object["listenKey"] as? String == key)
                let deleted = try await H.send(.DELETE, port: port, path: "fapi/v1/listenKey", signing: .none)
                #expect(deleted.body == "{}")
                let gone = try await H.send(.PUT, port: port, path: "fapi/v1/listenKey", signing: .none)
                #expect(gone.code == -1125)
                let noKey = try await H.send(.POST, port: port, path: "fapi/v1/listenKey", signing: .none, apiKey: nil)
                #expect(noKey.status == 401)
            }
        }

        @Test("the query form /private/ws?listenKey= streams order events; a lapsed key sends listenKeyExpired")
        func privateStreamQueryFormAndExpiry() async throws {
            // Long enough to connect and see an order event before the key lapses, even on a loaded machine.
            var configuration = H.configuration(ticks: H.ticks(["60000.00"]))
            configuration.listenKeyValidity = .seconds(4)
            try await H.withRunningVenue(configuration) { venue, port in
                let created = try await H.send(.POST, port: port, path: "fapi/v1/listenKey", signing: .none)
                let key = try #require(created.object["listenKey"] as? String)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let user = H.connect(url: "ws://127.0.0.1:\(port)/private/ws?listenKey=\(key)", in: &group)
                    try await H.waitForUserStreams(venue)
                    _ = try await H.send(
                        .POST, port: port, path: "fapi/v1/order",
                        [
                            ("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                            ("quantity", "0.01"), ("price", "50000.0"), ("newClientOrderId", "q-1"),
                        ])
                    let new = try await user.first("the NEW event") { event in
                        (event["o"] as? [String: Any])?["x"] as? String == "NEW"
                    }
                    #expect((new["o"] as? [String: Any])?["c"] as? String == "q-1")
                    #expect((new["o"] as? [String: Any])?["p"] as? String == "50000.0")
                    let expired = try await user.first("listenKeyExpired") {
                        $0["e"] as? String == "listenKeyExpired"
                    }
                    #expect(expired["listenKey"] as? String == key)
                    let gone = try await H.send(.PUT, port: port, path: "fapi/v1/listenKey", signing: .none)
                    #expect(gone.code == -1125)
                    group.cancelAll()
                }
            }
        }

        @Test("fault injection: every second request answers 503 with execution status unknown, and was carried out")
        func serviceUnavailableFault() async throws {
            let configuration = H.configuration(
                ticks: H.ticks(["60000.00"]),
                faults: .init(serviceUnavailableEvery: 2, serviceUnavailableExecutes: true))
            try await H.withVenue(configuration) { port in
                let first = try await H.send(.GET, port: port, path: "fapi/v3/balance")
                #expect(first.status == 200)
                let second = try await H.send(
                    .POST, port: port, path: "fapi/v1/order",
                    [
                        ("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                        ("quantity", "0.01"), ("price", "50000.0"), ("newClientOrderId", "unknown-1"),
                    ])
                #expect(second.status == 503 && second.code == -1007)
                let lookup = try await H.send(
                    .GET, port: port, path: "fapi/v1/order",
                    [("symbol", "BTCUSDT"), ("origClientOrderId", "unknown-1")])
                #expect(lookup.status == 200 && lookup.object["status"] as? String == "NEW")
            }
        }
    }
}
