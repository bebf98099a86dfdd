import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import ReflexCore
import Synchronization

/// A small local Bybit v5 that speaks the documented messages (spec B): signed REST checked the way Bybit does
/// (HMAC computed here with swift-crypto directly, not with the code under test), `publicTrade` on
/// `/v5/public/linear`, and the authenticated private stream on `/v5/private`. Market orders fill at once at the
/// last trade price and report on the private stream; limit and conditional orders rest until canceled.
final class BybitStandIn: Sendable {
    static let apiKey = "stand-in-key"
    static let secret = "stand-in-secret"
    static let symbol = "BTCUSDT"

    struct Order: Sendable {
        var orderID: String
        var linkID: String
        var side: String
        var orderType: String
        var qty: String
        var price: String
        var triggerPrice: String
        var triggerDirection: Int
        var reduceOnly: Bool
        var status: String
    }

    struct State: Sendable {
        /// Newest last; served newest first by `recent-trade`.
        /// `recent-trade` rows by symbol, oldest first.
        var trades: [String: [String]] = [:]
        var lastPrice = "61800.30"
        var orders: [Order] = []
        var nextOrderID = 1
        var position: Decimal = 0
        var createBodies: [String] = []
        var restFailures: [String] = []
        var pings = 0
        /// `retCode`s to answer the next `order/create` calls with, before behaving normally.
        var scriptedCreateCodes: [Int] = []
        var recentTradeRequests = 0
        /// `X-Bapi-Limit-Status` and reset delay (ms) sent with `order/create` answers.
        var limitStatus = 9
        var limitResetDelay: Int64 = 1000
        /// Book the next order but answer HTTP 503 without a body the client can read (outcome unknown).
        var bookThenFail503 = false
        /// Every n-th `order/create` booked and answered 503 (the paper venue's `--unavailable-every`).
        var createFailEvery: Int?
        var creates = 0
    }

    let state = Mutex(State())
    let publicHub = StandInHub()
    let privateHub = StandInHub()
    /// Doubled and overtaking private messages (the paper venue's `--duplicate-webhooks`, `--reorder-webhooks`).
    let privateFaults = DeliveryFaults()

    /// Registers REST and WebSocket routes on `router`.
    func register(on router: Router<BasicWebSocketRequestContext>) {
        router.get("/v5/market/time") { _, _ -> Response in
            Self.json(
                #"{"retCode":0,"retMsg":"OK","result":{"timeSecond":"\#(VenueFixture.now / 1000)"},"retExtInfo":{},"time":\#(VenueFixture.now)}"#
            )
        }
        router.get("/v5/market/recent-trade") { request, _ -> Response in
            let symbol = request.uri.queryParameters["symbol"].map(String.init) ?? "BTCUSDT"
            let trades = self.state.withLock { state in
                state.recentTradeRequests += 1
                return (state.trades[symbol] ?? []).reversed().map { $0 }
            }
            return Self.ok(#"{"category":"linear","list":[\#(trades.joined(separator: ","))]}"#)
        }
        router.get("/v5/market/instruments-info") { _, _ -> Response in
            Self.ok((try? VenueFixture.text("Bybit", "instruments_info_result.json")) ?? "{}")
        }
        router.post("/v5/order/create") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
            if let failure = self.authenticate(request, payload: body) { return failure }
            return self.create(body)
        }
        router.post("/v5/order/cancel") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
            if let failure = self.authenticate(request, payload: body) { return failure }
            return self.cancel(body)
        }
        router.get("/v5/order/realtime") { request, _ -> Response in
            if let failure = self.authenticate(request, payload: request.uri.query ?? "") { return failure }
            let rows = self.state.withLock { $0.orders }.map(Self.orderJSON)
            return Self.ok(#"{"category":"linear","list":[\#(rows.joined(separator: ","))]}"#)
        }
        router.get("/v5/position/list") { request, _ -> Response in
            if let failure = self.authenticate(request, payload: request.uri.query ?? "") { return failure }
            return Self.ok(#"{"category":"linear","list":[\#(self.positionJSON())]}"#)
        }
        router.get("/v5/account/wallet-balance") { request, _ -> Response in
            if let failure = self.authenticate(request, payload: request.uri.query ?? "") { return failure }
            return Self.ok(
                #"{"list":[{"accountType":"UNIFIED","accountMMRate":"0.01","totalEquity":"10120.5","totalWalletBalance":"10000.25","totalMarginBalance":"10120.5","totalAvailableBalance":"9000","totalPerpUPL":"120.25","totalMaintenanceMargin":"12.5","coin":[]}]}"#
            )
        }
        router.ws("/v5/public/linear") { inbound, outbound, _ in
            try await self.publicHub.serve(inbound: inbound, outbound: outbound) { id, text in
                self.publicMessage(id, text)
            }
        }
        router.ws("/v5/private") { inbound, outbound, _ in
            try await self.privateHub.serve(inbound: inbound, outbound: outbound) { id, text in
                self.privateMessage(id, text)
            }
        }
    }

    // MARK: Market data

    /// A `publicTrade` entry as Bybit writes it.
    static func tradeEntry(
        id: String, time: Int64, side: String, size: String, price: String, symbol: String = "BTCUSDT"
    ) -> String {
        #"{"T":\#(time),"s":"\#(symbol)","S":"\#(side)","v":"\#(size)","p":"\#(price)","L":"PlusTick","i":"\#(id)","BT":false,"seq":1}"#
    }

    /// A `recent-trade` row as Bybit writes it.
    static func restTrade(
        id: String, time: Int64, side: String, size: String, price: String, symbol: String = "BTCUSDT"
    ) -> String {
        #"{"execId":"\#(id)","symbol":"\#(symbol)","price":"\#(price)","size":"\#(size)","side":"\#(side)","time":"\#(time)","isBlockTrade":false}"#
    }

    /// Records trades for `recent-trade` (without pushing them).
    func record(
        _ trades: [(id: String, time: Int64, side: String, size: String, price: String)], symbol: String = "BTCUSDT"
    ) {
        state.withLock { state in
            for trade in trades {
                state.trades[symbol, default: []].append(
                    Self.restTrade(
                        id: trade.id, time: trade.time, side: trade.side, size: trade.size, price: trade.price,
                        symbol: symbol))
                state.lastPrice = trade.price
            }
        }
    }

    /// Records trades and pushes them in one `publicTrade` message to subscribed connections.
    @discardableResult
    func publish(
        _ trades: [(id: String, time: Int64, side: String, size: String, price: String)], symbol: String = "BTCUSDT"
    ) -> Int {
        record(trades, symbol: symbol)
        return pushOnly(trades, symbol: symbol)
    }

    /// Pushes trades without recording them (replays of already recorded trades).
    @discardableResult
    func pushOnly(
        _ trades: [(id: String, time: Int64, side: String, size: String, price: String)], symbol: String = "BTCUSDT"
    ) -> Int {
        let entries = trades.map {
            Self.tradeEntry(id: $0.id, time: $0.time, side: $0.side, size: $0.size, price: $0.price, symbol: symbol)
        }
        let message =
            #"{"topic":"publicTrade.\#(symbol)","type":"snapshot","ts":\#(VenueFixture.now),"data":[\#(entries.joined(separator: ","))]}"#
        return publicHub.push(message, to: "publicTrade.\(symbol)")
    }

    private func publicMessage(_ id: Int, _ text: String) -> [String] {
        guard let object = try? JSONValue.parse(text), let op = Self.string(object, "op") else { return [] }
        switch op {
        case "ping":
            state.withLock { $0.pings += 1 }
            return [#"{"success":true,"ret_msg":"pong","conn_id":"c\#(id)","req_id":"ping","op":"ping"}"#]
        case "subscribe":
            for topic in Self.strings(object, "args") { publicHub.tag(id, topic) }
            return [#"{"success":true,"ret_msg":"","conn_id":"c\#(id)","req_id":"trades","op":"subscribe"}"#]
        default:
            return []
        }
    }

    // MARK: Private stream

    private func privateMessage(_ id: Int, _ text: String) -> [String] {
        guard let object = try? JSONValue.parse(text), let op = Self.string(object, "op") else { return [] }
        switch op {
        case "auth":
            guard case .array(let args)? = Self.member(object, "args"), args.count == 3,
                case .string(let key) = args[0], case .number(let expiresText) = args[1],
                case .string(let signature) = args[2], let expires = Int64(expiresText)
            else { return [#"{"success":false,"ret_msg":"Params Error","op":"auth","conn_id":"c\#(id)"}"#] }
            let expected = Self.hex(
                HMAC<SHA256>.authenticationCode(for: Data("GET/realtime\(expires)".utf8), using: Self.key))
            guard key == Self.apiKey, signature == expected, expires > VenueFixture.now else {
                return [#"{"success":false,"ret_msg":"Invalid apikey or signature","op":"auth","conn_id":"c\#(id)"}"#]
            }
            privateHub.tag(id, "authenticated")
            return [#"{"success":true,"ret_msg":"","op":"auth","conn_id":"c\#(id)"}"#]
        case "subscribe":
            guard privateHub.has(id, "authenticated") else {
                return [#"{"success":false,"ret_msg":"not authenticated","op":"subscribe","conn_id":"c\#(id)"}"#]
            }
            for topic in Self.strings(object, "args") { privateHub.tag(id, topic) }
            return [#"{"success":true,"ret_msg":"","op":"subscribe","conn_id":"c\#(id)","req_id":"account"}"#]
        case "ping":
            state.withLock { $0.pings += 1 }
            return [#"{"req_id":"ping","op":"pong","args":["\#(VenueFixture.now)"],"conn_id":"c\#(id)"}"#]
        default:
            return []
        }
    }

    private func pushPrivate(_ topic: String, _ data: String) {
        privateFaults.send(
            #"{"id":"\#(UUID().uuidString)","topic":"\#(topic)","creationTime":\#(VenueFixture.now),"data":[\#(data)]}"#,
            to: topic, on: privateHub)
    }

    /// Pushes a `wallet` update with account maintenance-margin rate `rate`.
    func pushWallet(rate: String) {
        pushPrivate(
            "wallet",
            #"{"accountType":"UNIFIED","accountMMRate":"\#(rate)","totalEquity":"100","totalWalletBalance":"100","totalMarginBalance":"100","totalAvailableBalance":"0","totalPerpUPL":"-900","totalMaintenanceMargin":"85","coin":[]}"#
        )
    }

    /// Pushes a liquidation (`BustTrade`) execution.
    func pushLiquidation() {
        pushPrivate(
            "execution",
            #"{"category":"linear","symbol":"BTCUSDT","execFee":"0","execId":"bust-1","execPrice":"60000","execQty":"0.01","execType":"BustTrade","execValue":"600","leavesQty":"0","orderId":"liq-1","orderLinkId":"","orderQty":"0.01","orderType":"Market","side":"Sell","execTime":"\#(VenueFixture.now)","isMaker":false,"seq":1}"#
        )
    }

    // MARK: Orders

    private func create(_ body: String) -> Response {
        guard let object = try? JSONValue.parse(body), Self.string(object, "category") == "linear",
            let symbol = Self.string(object, "symbol"), let side = Self.string(object, "side"),
            let orderType = Self.string(object, "orderType"), let qty = Self.string(object, "qty"),
            let link = Self.string(object, "orderLinkId")
        else { return Self.error(10001, "params error") }
        let scripted: Int? = state.withLock { state in
            state.createBodies.append(body)
            return state.scriptedCreateCodes.isEmpty ? nil : state.scriptedCreateCodes.removeFirst()
        }
        if let scripted { return Self.error(scripted, "scripted failure") }
        guard symbol == Self.symbol else { return Self.error(10001, "symbol invalid") }
        guard let quantity = Decimal(string: qty), quantity > 0 else {
            return Self.error(110017, "qty truncated to zero")
        }
        if quantity > 100 { return Self.error(110007, "ab not enough for new order") }
        let trigger = Self.string(object, "triggerPrice") ?? ""
        let direction = Self.number(object, "triggerDirection") ?? 0
        let reduceOnly = Self.bool(object, "reduceOnly") ?? false
        if reduceOnly && trigger.isEmpty && state.withLock({ $0.position == 0 }) {
            // Bybit's answer to a reduce-only order with nothing to reduce.
            return Self.error(110017, "current position is zero, cannot fix reduce-only order qty")
        }
        let order = state.withLock { state in
            defer { state.nextOrderID += 1 }
            let order = Order(
                orderID: "order-\(state.nextOrderID)", linkID: link, side: side, orderType: orderType, qty: qty,
                price: Self.string(object, "price") ?? "", triggerPrice: trigger, triggerDirection: direction,
                reduceOnly: reduceOnly, status: trigger.isEmpty ? "New" : "Untriggered")
            if orderType == "Limit" || !trigger.isEmpty { state.orders.append(order) }
            return order
        }
        if state.withLock({ state in
            defer { state.bookThenFail503 = false }
            state.creates += 1
            return state.bookThenFail503 || state.createFailEvery.map { state.creates % $0 == 0 } == true
        }) {
            return Response(
                status: .serviceUnavailable, headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: "<html>503 Service Temporarily Unavailable</html>")))
        }
        if orderType == "Market" && trigger.isEmpty {
            fill(order)
        } else {
            pushPrivate("order", Self.orderJSON(order))
        }
        let (status, delay) = state.withLock { ($0.limitStatus, $0.limitResetDelay) }
        return Self.ok(
            #"{"orderId":"\#(order.orderID)","orderLinkId":"\#(link)"}"#, limitStatus: status, resetDelay: delay)
    }

    private func fill(_ order: Order) {
        let (price, position) = state.withLock { state in
            let delta = Decimal(string: order.qty)! * (order.side == "Buy" ? 1 : -1)
            state.position += delta
            return (state.lastPrice, state.position)
        }
        var filled = order
        filled.status = "Filled"
        let now = VenueFixture.now
        pushPrivate(
            "execution",
            #"{"category":"linear","symbol":"BTCUSDT","closedSize":"0","execFee":"0.0340","execId":"exec-\#(order.orderID)","execPrice":"\#(price)","execQty":"\#(order.qty)","execType":"Trade","execValue":"0","feeRate":"0.00055","leavesQty":"0","orderId":"\#(order.orderID)","orderLinkId":"\#(order.linkID)","orderPrice":"\#(price)","orderQty":"\#(order.qty)","orderType":"Market","stopOrderType":"UNKNOWN","side":"\#(order.side)","execTime":"\#(now)","isLeverage":"0","isMaker":false,"seq":1,"createType":"CreateByUser","feeCurrency":"USDT"}"#
        )
        pushPrivate("order", Self.orderJSON(filled))
        _ = position
        pushPrivate("position", positionJSON())
    }

    private func cancel(_ body: String) -> Response {
        guard let object = try? JSONValue.parse(body), let link = Self.string(object, "orderLinkId") else {
            return Self.error(10001, "params error")
        }
        let removed: Order? = state.withLock { state in
            guard let index = state.orders.firstIndex(where: { $0.linkID == link }) else { return nil }
            return state.orders.remove(at: index)
        }
        guard var order = removed else { return Self.error(110001, "order not exists or too late to cancel") }
        order.status = "Cancelled"
        pushPrivate("order", Self.orderJSON(order))
        return Self.ok(#"{"orderId":"\#(order.orderID)","orderLinkId":"\#(link)"}"#)
    }

    static func orderJSON(_ order: Order) -> String {
        let now = VenueFixture.now
        return
            #"{"category":"linear","symbol":"BTCUSDT","orderId":"\#(order.orderID)","orderLinkId":"\#(order.linkID)","side":"\#(order.side)","orderType":"\#(order.orderType)","price":"\#(order.price)","qty":"\#(order.qty)","timeInForce":"GTC","orderStatus":"\#(order.status)","cancelType":"\#(order.status == "Cancelled" ? "CancelByUser" : "UNKNOWN")","rejectReason":"EC_NoError","leavesQty":"\#(order.qty)","cumExecQty":"0","cumExecFee":"0","triggerPrice":"\#(order.triggerPrice)","triggerDirection":\#(order.triggerDirection),"triggerBy":"LastPrice","reduceOnly":\#(order.reduceOnly),"closeOnTrigger":false,"positionIdx":0,"createdTime":"\#(now)","updatedTime":"\#(now)"}"#
    }

    private func positionJSON() -> String {
        let (position, price) = state.withLock { ($0.position, $0.lastPrice) }
        let side = position > 0 ? "Buy" : position < 0 ? "Sell" : ""
        let size = "\(position < 0 ? -position : position)"
        return
            #"{"positionIdx":0,"symbol":"BTCUSDT","side":"\#(side)","size":"\#(size)","avgPrice":"\#(price)","entryPrice":"\#(price)","markPrice":"\#(price)","liqPrice":"","positionMM":"1.5","category":"linear","updatedTime":"\#(VenueFixture.now)","seq":1}"#
    }

    // MARK: Authentication

    static let key = SymmetricKey(data: Data(secret.utf8))

    /// Checks the `X-BAPI-*` headers: key, fresh timestamp, and the signature over `timestamp+key+window+payload`.
    private func authenticate(_ request: Request, payload: String) -> Response? {
        func header(_ name: String) -> String? { request.headers[HTTPField.Name(name)!] }
        guard let key = header("X-BAPI-API-KEY"), key == Self.apiKey else {
            return Self.error(10003, "API key is invalid.")
        }
        guard let timestampText = header("X-BAPI-TIMESTAMP"), let timestamp = Int64(timestampText),
            let windowText = header("X-BAPI-RECV-WINDOW"), let window = Int64(windowText)
        else { return Self.error(10001, "missing timestamp or recv window") }
        let now = VenueFixture.now
        guard now - window <= timestamp, timestamp < now + 1000 else {
            return Self.error(10002, "invalid request, please check your server timestamp or recv_window param")
        }
        let expected = Self.hex(
            HMAC<SHA256>.authenticationCode(
                for: Data("\(timestampText)\(key)\(windowText)\(payload)".utf8), using: Self.key))
        guard header("X-BAPI-SIGN") == expected else {
            state.withLock { $0.restFailures.append("sign") }
            return Self.error(10004, "error sign! origin_string[\(timestampText)\(key)\(windowText)\(payload)]")
        }
        return nil
    }

    // MARK: JSON helpers

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func member(_ value: JSONValue, _ key: String) -> JSONValue? {
        guard case .object(let members) = value else { return nil }
        return members.first(where: { $0.key == key })?.value
    }
    static func string(_ value: JSONValue, _ key: String) -> String? {
        if case .string(let text)? = member(value, key) { return text }
        return nil
    }
    static func number(_ value: JSONValue, _ key: String) -> Int? {
        if case .number(let text)? = member(value, key) { return Int(text) }
        return nil
    }
    static func bool(_ value: JSONValue, _ key: String) -> Bool? {
        if case .bool(let flag)? = member(value, key) { return flag }
        return nil
    }
    static func strings(_ value: JSONValue, _ key: String) -> [String] {
        guard case .array(let items)? = member(value, key) else { return [] }
        return items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
    }

    static func ok(_ result: String, limitStatus: Int? = nil, resetDelay: Int64 = 1000) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let limitStatus {
            headers[HTTPField.Name("X-Bapi-Limit")!] = "10"
            headers[HTTPField.Name("X-Bapi-Limit-Status")!] = String(limitStatus)
            headers[HTTPField.Name("X-Bapi-Limit-Reset-Timestamp")!] = String(VenueFixture.now + resetDelay)
        }
        let body = #"{"retCode":0,"retMsg":"OK","result":\#(result),"retExtInfo":{},"time":\#(VenueFixture.now)}"#
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ code: Int, _ message: String) -> Response {
        json(#"{"retCode":\#(code),"retMsg":"\#(message)","result":{},"retExtInfo":{},"time":\#(VenueFixture.now)}"#)
    }

    static func json(_ body: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
