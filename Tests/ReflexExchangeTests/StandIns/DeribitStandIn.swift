import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import ReflexCore
import Synchronization

/// A small local Deribit that speaks JSON-RPC 2.0 over `/ws/api/v2` as documented (spec C): client-credential auth,
/// heartbeats with `test_request`, subscriptions and `subscription` notifications, and the order methods. BTC-PERPETUAL
/// is an inverse perpetual: amounts are USD in multiples of 10. Market orders fill at once at the last trade price.
final class DeribitStandIn: Sendable {
    static let clientID = "stand-in-client"
    static let clientSecret = "stand-in-secret"
    static let instrument = "BTC-PERPETUAL"

    struct Order: Sendable {
        var id: String
        var label: String
        var direction: String
        var type: String
        var amount: Int
        var price: String?
        var trigger: String?
        var reduceOnly: Bool
        var state: String
    }

    struct State: Sendable {
        var trades: [(sequence: Int64, json: String)] = []
        var lastPrice = "60000"
        var orders: [Order] = []
        var nextOrderID = 1
        var positionUSD = 0
        var testAnswers = 0
        var methods: [String] = []
        var backfillRequests: [String] = []
        var grants: [String] = []
        /// Book the next order, then drop the connection without answering (outcome unknown).
        var bookThenDrop = false
    }

    let state = Mutex(State())
    /// Doubled and overtaking `user.*` notifications (the paper venue's `--duplicate-webhooks`, `--reorder-webhooks`).
    let privateFaults = DeliveryFaults()
    let hub = StandInHub()

    func register(on router: Router<BasicWebSocketRequestContext>) {
        router.ws("/ws/api/v2") { inbound, outbound, _ in
            try await self.hub.serve(inbound: inbound, outbound: outbound) { id, text in self.answer(id, text) }
        }
    }

    /// Checks either grant: the secret itself, or `client_signature` = hex HMAC-SHA256(secret,
    /// `timestamp\nnonce\ndata`) with a timestamp within a minute (computed here with swift-crypto directly).
    static func provesSecret(_ params: JSONValue) -> Bool {
        switch BybitStandIn.string(params, "grant_type") {
        case "client_credentials":
            return BybitStandIn.string(params, "client_secret") == clientSecret
        case "client_signature":
            guard case .number(let timestampText)? = BybitStandIn.member(params, "timestamp"),
                let timestamp = Int64(timestampText), abs(timestamp - VenueFixture.now) < 60_000,
                let nonce = BybitStandIn.string(params, "nonce"),
                let signature = BybitStandIn.string(params, "signature")
            else { return false }
            let data = BybitStandIn.string(params, "data") ?? ""
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data("\(timestampText)\n\(nonce)\n\(data)".utf8),
                using: SymmetricKey(data: Data(clientSecret.utf8)))
            return BybitStandIn.hex(mac) == signature
        default:
            return false
        }
    }

    // MARK: Market data

    static func tradeJSON(sequence: Int64, price: String, amount: Int, direction: String, time: Int64) -> String {
        #"{"trade_seq":\#(sequence),"trade_id":"\#(100_000 + sequence)","timestamp":\#(time),"tick_direction":0,"price":\#(price),"mark_price":\#(price),"instrument_name":"BTC-PERPETUAL","index_price":\#(price),"direction":"\#(direction)","amount":\#(amount)}"#
    }

    /// Records trades (for backfill) and, unless `push` is false, notifies subscribers in one message.
    /// `times` (ms), when given, dates each trade (tests that need several bars); otherwise all are dated now.
    func publish(
        _ trades: [(sequence: Int64, price: String, amount: Int, direction: String)], push: Bool = true,
        times: [Int64]? = nil
    ) {
        let now = VenueFixture.now
        let items = trades.enumerated().map { index, trade in
            (
                sequence: trade.sequence,
                json: Self.tradeJSON(
                    sequence: trade.sequence, price: trade.price, amount: trade.amount, direction: trade.direction,
                    time: times?[index] ?? now)
            )
        }
        state.withLock { state in
            state.trades += items
            if let last = trades.last { state.lastPrice = last.price }
        }
        if push { notify("trades.BTC-PERPETUAL.raw", "[\(items.map(\.json).joined(separator: ","))]") }
    }

    func notify(_ channel: String, _ data: String) {
        let text = #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"\#(channel)","data":\#(data)}}"#
        if channel.hasPrefix("user.") {
            privateFaults.send(text, to: channel, on: hub)
        } else {
            hub.push(text, to: channel)
        }
    }

    // MARK: JSON-RPC

    private func answer(_ connection: Int, _ text: String) -> [String] {
        guard let request = try? JSONValue.parse(text), case .number(let id)? = BybitStandIn.member(request, "id"),
            let method = BybitStandIn.string(request, "method")
        else { return [] }
        let params = BybitStandIn.member(request, "params") ?? .object([])
        state.withLock { $0.methods.append(method) }
        func result(_ json: String) -> [String] {
            [#"{"jsonrpc":"2.0","id":\#(id),"result":\#(json),"usIn":1,"usOut":2,"usDiff":1,"testnet":true}"#]
        }
        func error(_ code: Int, _ message: String) -> [String] {
            [#"{"jsonrpc":"2.0","id":\#(id),"error":{"code":\#(code),"message":"\#(message)"},"testnet":true}"#]
        }
        if method.hasPrefix("private/") && !hub.has(connection, "authenticated") { return error(13009, "unauthorized") }
        switch method {
        case "public/auth":
            guard BybitStandIn.string(params, "client_id") == Self.clientID, Self.provesSecret(params) else {
                return error(13004, "invalid_credentials")
            }
            state.withLock { $0.grants.append(BybitStandIn.string(params, "grant_type") ?? "") }
            hub.tag(connection, "authenticated")
            return result(
                #"{"access_token":"token","expires_in":31536000,"refresh_token":"refresh","scope":"session:test trade:read_write","token_type":"bearer"}"#
            )
        case "public/get_instrument":
            guard BybitStandIn.string(params, "instrument_name") == Self.instrument else {
                return error(10020, "instrument_not_found")
            }
            return result(
                #"{"tick_size":0.5,"taker_commission":0.0005,"settlement_period":"perpetual","settlement_currency":"BTC","quote_currency":"USD","min_trade_amount":10,"kind":"future","is_active":true,"instrument_type":"reversed","instrument_name":"BTC-PERPETUAL","contract_size":10,"base_currency":"BTC"}"#
            )
        case "public/set_heartbeat":
            // Ask for a proof of life straight away, as Deribit does once per interval.
            return result(#""ok""#) + [#"{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}"#]
        case "public/test":
            state.withLock { $0.testAnswers += 1 }
            return result(#"{"version":"1.2.26"}"#)
        case "public/subscribe", "private/subscribe":
            let channels = BybitStandIn.strings(params, "channels")
            if method == "public/subscribe" && channels.contains(where: { $0.hasSuffix(".raw") })
                && !hub.has(connection, "authenticated")
            {
                return error(13009, "unauthorized")
            }
            for channel in channels { hub.tag(connection, channel) }
            return result("[" + channels.map { #""\#($0)""# }.joined(separator: ",") + "]")
        case "public/get_last_trades_by_instrument":
            let start = Int64(BybitStandIn.number(params, "start_seq") ?? 0)
            let end = Int64(BybitStandIn.number(params, "end_seq") ?? Int(Int32.max))
            let trades = state.withLock { state in
                state.backfillRequests.append("\(start)-\(end)")
                return state.trades.filter { $0.sequence >= start && $0.sequence <= end }.map(\.json)
            }
            return result(#"{"trades":[\#(trades.joined(separator: ","))],"has_more":false}"#)
        case "private/buy", "private/sell":
            return order(method == "private/buy" ? "buy" : "sell", params, result: result, error: error)
        case "private/cancel":
            guard let orderID = BybitStandIn.string(params, "order_id") else { return error(11050, "bad_request") }
            let removed: Order? = state.withLock { state in
                guard let index = state.orders.firstIndex(where: { $0.id == orderID }) else { return nil }
                return state.orders.remove(at: index)
            }
            guard var order = removed else { return error(10004, "order_not_found") }
            order.state = "cancelled"
            notify("user.orders.BTC-PERPETUAL.raw", Self.orderJSON(order))
            return result(Self.orderJSON(order))
        case "private/get_open_orders_by_instrument":
            return result("[" + state.withLock { $0.orders }.map(Self.orderJSON).joined(separator: ",") + "]")
        case "private/get_positions":
            return result("[\(positionJSON())]")
        case "private/get_account_summary":
            return result(
                #"{"currency":"BTC","balance":0.5,"equity":0.51,"margin_balance":0.51,"available_funds":0.4,"maintenance_margin":0.002,"initial_margin":0.01}"#
            )
        default:
            return error(-32601, "Method not found")
        }
    }

    private func order(
        _ direction: String, _ params: JSONValue, result makeResult: (String) -> [String],
        error: (Int, String) -> [String]
    ) -> [String] {
        guard BybitStandIn.string(params, "instrument_name") == Self.instrument,
            let amount = BybitStandIn.number(params, "amount"), let type = BybitStandIn.string(params, "type")
        else { return error(11050, "bad_request") }
        guard amount > 0, amount % 10 == 0 else {
            return error(10001, "error: amount must be a multiple of contract size")
        }
        let price: String? = {
            if case .number(let text)? = BybitStandIn.member(params, "price") { return text }
            return nil
        }()
        let trigger: String? = {
            if case .number(let text)? = BybitStandIn.member(params, "trigger_price") { return text }
            return nil
        }()
        var order = state.withLock { state in
            defer { state.nextOrderID += 1 }
            return Order(
                id: "order-\(state.nextOrderID)", label: BybitStandIn.string(params, "label") ?? "",
                direction: direction,
                type: type, amount: amount, price: price, trigger: trigger,
                reduceOnly: BybitStandIn.bool(params, "reduce_only") ?? false,
                state: type == "market" ? "filled" : trigger != nil ? "untriggered" : "open")
        }
        guard type == "market" else {
            let drop = state.withLock { state in
                state.orders.append(order)
                defer { state.bookThenDrop = false }
                return state.bookThenDrop
            }
            if drop {
                hub.dropAll()
                return []
            }
            notify("user.orders.BTC-PERPETUAL.raw", Self.orderJSON(order))
            return makeResult(#"{"order":\#(Self.orderJSON(order)),"trades":[]}"#)
        }
        let fillPrice = state.withLock { state in
            if order.reduceOnly {
                // Deribit caps a reduce-only order at the position it reduces.
                let reducible = direction == "buy" ? max(0, -state.positionUSD) : max(0, state.positionUSD)
                order.amount = min(order.amount, reducible)
            }
            state.positionUSD += direction == "buy" ? order.amount : -order.amount
            return state.lastPrice
        }
        order.price = fillPrice
        let trade =
            #"{"trade_seq":1,"trade_id":"F\#(order.id)","timestamp":\#(VenueFixture.now),"tick_direction":0,"state":"filled","reduce_only":\#(order.reduceOnly),"price":\#(fillPrice),"post_only":false,"order_type":"market","order_id":"\#(order.id)","matching_id":null,"mark_price":\#(fillPrice),"liquidity":"T","label":"\#(order.label)","instrument_name":"BTC-PERPETUAL","index_price":\#(fillPrice),"fee_currency":"BTC","fee":1.68e-06,"direction":"\#(direction)","amount":\#(order.amount)}"#
        notify("user.trades.BTC-PERPETUAL.raw", "[\(trade)]")
        notify("user.orders.BTC-PERPETUAL.raw", Self.orderJSON(order))
        notify(
            "user.changes.BTC-PERPETUAL.raw",
            #"{"instrument_name":"BTC-PERPETUAL","trades":[\#(trade)],"orders":[\#(Self.orderJSON(order))],"positions":[\#(positionJSON())]}"#
        )
        return makeResult(#"{"order":\#(Self.orderJSON(order)),"trades":[\#(trade)]}"#)
    }

    /// Pushes a liquidation trade on `user.trades`.
    func pushLiquidation() {
        notify(
            "user.trades.BTC-PERPETUAL.raw",
            #"[{"trade_seq":2,"trade_id":"L1","timestamp":\#(VenueFixture.now),"tick_direction":0,"state":"filled","price":50000,"order_type":"liquidation","order_id":"liq","instrument_name":"BTC-PERPETUAL","fee_currency":"BTC","fee":0,"direction":"sell","amount":100,"liquidation":"M"}]"#
        )
    }

    static func orderJSON(_ order: Order) -> String {
        let price = order.price ?? #""market_price""#
        let trigger = order.trigger.map { #","trigger_price":\#($0),"trigger":"last_price""# } ?? ""
        let now = VenueFixture.now
        return
            #"{"order_id":"\#(order.id)","label":"\#(order.label)","instrument_name":"BTC-PERPETUAL","direction":"\#(order.direction)","order_type":"\#(order.type)","order_state":"\#(order.state)","amount":\#(order.amount),"filled_amount":\#(order.state == "filled" ? order.amount : 0),"price":\#(price),"reduce_only":\#(order.reduceOnly),"post_only":false,"time_in_force":"good_til_cancelled","creation_timestamp":\#(now),"last_update_timestamp":\#(now)\#(trigger)\#(order.state == "cancelled" ? #","cancel_reason":"user_request""# : "")}"#
    }

    private func positionJSON() -> String {
        let (size, price) = state.withLock { ($0.positionUSD, $0.lastPrice) }
        let direction = size > 0 ? "buy" : size < 0 ? "sell" : "zero"
        return
            #"{"instrument_name":"BTC-PERPETUAL","kind":"future","direction":"\#(direction)","size":\#(size),"average_price":\#(price),"mark_price":\#(price),"estimated_liquidation_price":null,"total_profit_loss":0}"#
    }
}
