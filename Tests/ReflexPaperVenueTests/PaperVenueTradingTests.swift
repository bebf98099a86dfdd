import Foundation
import NIOHTTP1
import ReflexCore
import Testing

@testable import ReflexPaperVenue

extension PaperVenueTests {
    @Suite("PaperVenue trading")
    struct PaperVenueTradingTests {
        typealias H = PaperVenueHarness

        /// Runs a venue with a webhook receiver, a user-data connection and a market connection (which starts the tape).
        static func session(
            prices: [String], spacing: Int64 = 40, leverage: Int = 10, failWebhooks: Int = 0,
            _ body:
                @Sendable (_ port: Int, _ market: H.Inbox, _ user: H.Inbox, _ webhooks: WebhookReceiver) async throws ->
                Void
        ) async throws {
            let receiver = WebhookReceiver(secret: H.webhookSecret, failFirst: failWebhooks)
            try await receiver.run { url in
                let configuration = H.configuration(
                    ticks: H.ticks(prices, spacing: spacing), speed: 1, leverage: leverage, webhookURL: url)
                try await H.withRunningVenue(configuration) { venue, port in
                    let created = try await H.send(.POST, port: port, path: "fapi/v1/listenKey", signing: .none)
                    let key = try #require(created.object["listenKey"] as? String)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        let user = H.connect(url: "ws://127.0.0.1:\(port)/private/ws/\(key)", in: &group)
                        // The private stream attaches before the tape (and so any fill) can start.
                        try await H.waitForUserStreams(venue)
                        let market = H.connect(url: "ws://127.0.0.1:\(port)/market/ws/btcusdt@aggTrade", in: &group)
                        _ = try await market.wait(count: 1)
                        try await body(port, market, user, receiver)
                        group.cancelAll()
                    }
                }
            }
        }

        static func marketOrder(port: Int, side: String, quantity: String, id: String) async throws -> H.RESTResult {
            try await H.send(
                .POST, port: port, path: "fapi/v1/order",
                [
                    ("symbol", "BTCUSDT"), ("side", side), ("type", "MARKET"), ("quantity", quantity),
                    ("newClientOrderId", id),
                ])
        }

        @Test(
            "a market order fills at the next replayed trade; the fill arrives on the user stream and as a signed webhook"
        )
        func marketOrderFill() async throws {
            // The 60020.0 plateau lasts 20 s, so a slow order still fills on it.
            let prices = Array(repeating: "60000.0", count: 3) + ["60010.5"] + Array(repeating: "60020.0", count: 400)
            try await Self.session(prices: prices, spacing: 50, failWebhooks: 1) { port, market, user, webhooks in
                // Wait until the tape is at the 60020.0 plateau so the fill price is known.
                _ = try await market.wait(count: 5)
                let placed = try await Self.marketOrder(port: port, side: "BUY", quantity: "0.010", id: "entry-1")
                #expect(placed.status == 200)
                #expect(placed.object["status"] as? String == "NEW")
                let orderID = try #require(placed.object["orderId"] as? Int)

                let trade = try await user.first("the fill") { event in
                    (event["o"] as? [String: Any])?["x"] as? String == "TRADE"
                }
                let o = try #require(trade["o"] as? [String: Any])
                #expect(o["c"] as? String == "entry-1")
                #expect(o["i"] as? Int == orderID)
                #expect(o["X"] as? String == "FILLED")
                #expect(o["L"] as? String == "60020.0")
                #expect(o["l"] as? String == "0.010")
                #expect(o["N"] as? String == "USDT")
                #expect(o["n"] as? String == "0.30010000")  // 600.2 × 0.05 % taker
                let account = try await user.first("the account update") { $0["e"] as? String == "ACCOUNT_UPDATE" }
                let position = try #require(((account["a"] as? [String: Any])?["P"] as? [[String: Any]])?.first)
                #expect(position["pa"] as? String == "0.010")
                #expect(position["ep"] as? String == "60020.00")

                // The first webhook attempt got a 500: the retry carries the same id and a valid signature.
                let fill = try await webhooks.first("order.filled")
                #expect(fill.isSignatureValid)
                #expect(fill.data["clientOrderId"] as? String == "entry-1")
                #expect(fill.data["price"] as? String == "60020.0")
                #expect(fill.data["quantity"] as? String == "0.010")
                #expect(fill.data["cumulativeQuantity"] as? String == "0.010")
                #expect(fill.data["status"] as? String == "FILLED")
                #expect(fill.data["fee"] as? String == "0.30010000")
                #expect(fill.data["orderId"] as? Int == orderID)
                let first = try #require(webhooks.received.first)
                #expect(webhooks.received.filter { $0.id == first.id }.count >= 2)
                #expect(webhooks.received.allSatisfy { $0.isSignatureValid })
                let positionHook = try await webhooks.first("position.updated")
                #expect(positionHook.data["quantity"] as? String == "0.010")
                #expect(positionHook.data["entryPrice"] as? String == "60020.00")
                let time = try #require(positionHook.data["time"] as? Int)
                #expect(positionHook.object["timestamp"] as? String == Timestamp.milliseconds(Int64(time)).rfc3339)

                let risk = try await H.send(.GET, port: port, path: "fapi/v3/positionRisk", [("symbol", "BTCUSDT")])
                let row = try #require(risk.array.first)
                #expect(row["positionAmt"] as? String == "0.010")
                #expect(row["entryPrice"] as? String == "60020.00")
                #expect(row["markPrice"] as? String == "60020.0")
                #expect(row["unRealizedProfit"] as? String == "0.00000000")
                let v2 = try await H.send(.GET, port: port, path: "fapi/v2/positionRisk", [("symbol", "BTCUSDT")])
                #expect(v2.array.first?["positionAmt"] as? String == "0.010")
                let premium = try await H.send(
                    .GET, port: port, path: "fapi/v1/premiumIndex", [("symbol", "BTCUSDT")], signing: .none, apiKey: nil
                )
                #expect(premium.object["markPrice"] as? String == "60020.0")
                let ticker = try await H.send(
                    .GET, port: port, path: "fapi/v1/ticker/price", [("symbol", "BTCUSDT")], signing: .none, apiKey: nil
                )
                #expect(ticker.object["price"] as? String == "60020.0")
                let result = try await H.send(
                    .POST, port: port, path: "fapi/v1/order",
                    [
                        ("symbol", "BTCUSDT"), ("side", "SELL"), ("type", "MARKET"), ("quantity", "0.010"),
                        ("reduceOnly", "true"), ("newOrderRespType", "RESULT"),
                    ])
                #expect(result.object["status"] as? String == "FILLED")
                #expect(result.object["avgPrice"] as? String == "60020.00")
                let query = try await H.send(
                    .GET, port: port, path: "fapi/v1/order", [("symbol", "BTCUSDT"), ("origClientOrderId", "entry-1")])
                #expect(query.object["status"] as? String == "FILLED")
                #expect(query.object["avgPrice"] as? String == "60020.00")
                #expect(query.object["executedQty"] as? String == "0.010")
            }
        }

        @Test("a protective STOP_MARKET on the algo endpoint triggers when the tape crosses it and closes the position")
        func protectiveStopTriggers() async throws {
            // 8 s at 60000.0: time for the entry and the stop to be placed before the tape falls, even when slow.
            let prices =
                Array(repeating: "60000.0", count: 200) + ["59800.0", "59600.0", "59499.9", "59400.0"]
                + Array(repeating: "59400.0", count: 20)
            try await Self.session(prices: prices) { port, _, user, webhooks in
                _ = try await Self.marketOrder(port: port, side: "BUY", quantity: "0.010", id: "entry-2")
                _ = try await user.first("the entry fill") { ($0["o"] as? [String: Any])?["x"] as? String == "TRADE" }
                let stop = try await H.send(
                    .POST, port: port, path: "fapi/v1/algoOrder",
                    [
                        ("algoType", "CONDITIONAL"), ("symbol", "BTCUSDT"), ("side", "SELL"), ("type", "STOP_MARKET"),
                        ("triggerPrice", "59500.0"), ("closePosition", "true"), ("clientAlgoId", "sl-2"),
                    ])
                #expect(stop.status == 200)
                #expect(stop.object["algoStatus"] as? String == "NEW")
                #expect(stop.object["triggerPrice"] as? String == "59500.0")
                let open = try await H.send(.GET, port: port, path: "fapi/v1/openAlgoOrders", [("symbol", "BTCUSDT")])
                #expect(open.array.map { $0["clientAlgoId"] as? String } == ["sl-2"])

                let finished = try await user.first("the stop to finish") { event in
                    let o = event["o"] as? [String: Any]
                    return event["e"] as? String == "ALGO_UPDATE" && o?["X"] as? String == "FINISHED"
                }
                #expect((finished["o"] as? [String: Any])?["aq"] as? String == "0.010")
                let exit = try await user.first("the stop fill") { event in
                    let o = event["o"] as? [String: Any]
                    return o?["c"] as? String == "sl-2" && o?["x"] as? String == "TRADE"
                }
                let o = try #require(exit["o"] as? [String: Any])
                #expect(o["L"] as? String == "59499.9")
                #expect(o["ot"] as? String == "STOP_MARKET")
                #expect(o["S"] as? String == "SELL")
                let hook = try await webhooks.first("order.filled") { $0["clientOrderId"] as? String == "sl-2" }
                #expect(hook.isSignatureValid)
                #expect(hook.data["price"] as? String == "59499.9")
                let risk = try await H.send(.GET, port: port, path: "fapi/v3/positionRisk", [("symbol", "BTCUSDT")])
                #expect(risk.body == "[]")
                let algo = try await H.send(
                    .GET, port: port, path: "fapi/v1/algoOrder", [("clientAlgoId", "sl-2")])
                #expect(algo.object["algoStatus"] as? String == "FINISHED")
            }
        }

        @Test("an algo order can be canceled before it triggers")
        func cancelAlgoOrder() async throws {
            // 16 s of tape: the market entry fills at the next trade, so one must still come when it arrives.
            try await Self.session(prices: Array(repeating: "60000.0", count: 400)) { port, _, user, _ in
                _ = try await Self.marketOrder(port: port, side: "BUY", quantity: "0.010", id: "entry-3")
                _ = try await user.first("the entry fill") { ($0["o"] as? [String: Any])?["x"] as? String == "TRADE" }
                let placed = try await H.send(
                    .POST, port: port, path: "fapi/v1/algoOrder",
                    [
                        ("algoType", "CONDITIONAL"), ("symbol", "BTCUSDT"), ("side", "SELL"),
                        ("type", "TAKE_PROFIT_MARKET"),
                        ("triggerPrice", "61000.0"), ("quantity", "0.010"), ("reduceOnly", "true"),
                        ("clientAlgoId", "tp-3"),
                    ])
                #expect(placed.status == 200)
                let crossed = try await H.send(
                    .POST, port: port, path: "fapi/v1/algoOrder",
                    [
                        ("algoType", "CONDITIONAL"), ("symbol", "BTCUSDT"), ("side", "SELL"), ("type", "STOP_MARKET"),
                        ("triggerPrice", "60100.0"), ("quantity", "0.010"), ("reduceOnly", "true"),
                    ])
                #expect(crossed.code == -2021)
                let canceled = try await H.send(
                    .DELETE, port: port, path: "fapi/v1/algoOrder", [("symbol", "BTCUSDT"), ("clientAlgoId", "tp-3")])
                #expect(canceled.object["code"] as? String == "200")
                #expect(canceled.object["msg"] as? String == "success")
                #expect(canceled.object["clientAlgoId"] as? String == "tp-3")
                _ = try await user.first("the cancel event") { event in
                    let o = event["o"] as? [String: Any]
                    return o?["caid"] as? String == "tp-3" && o?["X"] as? String == "CANCELED"
                }
                let again = try await H.send(
                    .DELETE, port: port, path: "fapi/v1/algoOrder", [("symbol", "BTCUSDT"), ("clientalgoid", "tp-3")])
                #expect(again.code == -2011)
                let open = try await H.send(.GET, port: port, path: "fapi/v1/openAlgoOrders")
                #expect(open.body == "[]")
            }
        }

        @Test("a high-leverage long is warned, then liquidated when the tape falls far enough")
        func liquidation() async throws {
            // 100× long 0.01 at 60000: isolated margin 6 USDT; margin ratio reaches 1 near 59 640. 8 s at 60000.0
            // leave time for the entry to fill there before the tape falls, even when slow.
            let prices =
                Array(repeating: "60000.0", count: 200) + ["59900.0", "59800.0", "59700.0", "59660.0", "59600.0"]
                + Array(repeating: "59500.0", count: 20)
            try await Self.session(prices: prices, leverage: 100) { port, _, user, webhooks in
                _ = try await Self.marketOrder(port: port, side: "BUY", quantity: "0.010", id: "entry-4")
                _ = try await user.first("the entry fill") { ($0["o"] as? [String: Any])?["x"] as? String == "TRADE" }
                let call = try await user.first("the margin call") { $0["e"] as? String == "MARGIN_CALL" }
                let callPosition = try #require((call["p"] as? [[String: Any]])?.first)
                #expect(callPosition["pa"] as? String == "0.010")
                let liquidation = try await user.first("the liquidation") { event in
                    ((event["o"] as? [String: Any])?["c"] as? String)?.hasPrefix("autoclose-") == true
                }
                let o = try #require(liquidation["o"] as? [String: Any])
                #expect(o["x"] as? String == "CALCULATED")
                #expect(o["o"] as? String == "LIQUIDATION")
                #expect(o["S"] as? String == "SELL")
                #expect(o["z"] as? String == "0.010")
                #expect(o["L"] as? String == "59600.0")

                let warning = try await webhooks.first("margin.warning")
                #expect(warning.isSignatureValid)
                let liquidated = try await webhooks.first("liquidation")
                #expect(liquidated.isSignatureValid)
                #expect(liquidated.data["side"] as? String == "SELL")
                #expect(liquidated.data["price"] as? String == "59600.0")
                #expect(liquidated.data["quantity"] as? String == "0.010")
                let risk = try await H.send(.GET, port: port, path: "fapi/v3/positionRisk")
                #expect(risk.body == "[]")
                // The isolated margin (6 USDT) and the entry fee (0.3 USDT) are gone.
                let balance = try await H.send(.GET, port: port, path: "fapi/v3/balance")
                #expect(balance.array.first?["balance"] as? String == "9993.70000000")
            }
        }
    }
}
