import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// A small stand-in for Binance's REST API that checks requests the way Binance does: API key header, HMAC
/// signature over the exact query string (computed here with swift-crypto directly, not with the code under test),
/// and timestamp against recvWindow on its own (skewable) clock.
final class FakeBinanceVenue: Sendable {
    static let apiKey = "test-api-key"
    static let secret = "test-secret-key"

    struct State: Sendable {
        /// Milliseconds added to the venue's clock.
        var clockSkew: Int64 = 0
        var timeRequests = 0
        var orderPosts: [String] = []
        var algoPosts: [String] = []
        var orderLookups = 0
        /// Requests refused by authentication, by Binance error code.
        var authenticationFailures: [Int] = []
        /// Responses to hand out for POST /fapi/v1/order before behaving normally: (status, body, Retry-After).
        var scriptedOrderResponses: [(Int, String, String?)] = []
        /// Whether a POST that got a scripted response was still booked (a 503 "unknown" that did execute).
        var bookScriptedOrders = false
        var orders: [String: Int64] = [:]  // client id → order id
        var nextOrderID: Int64 = 7_000_000
    }

    let state = Shared(State())

    var now: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) + state.current.clockSkew }

    /// Registers the REST routes on `router`.
    func register(on router: Router<BasicWebSocketRequestContext>) {
        router.get("/fapi/v1/time") { _, _ -> Response in
            self.state.withLock { $0.timeRequests += 1 }
            return Self.json(.ok, "{\"serverTime\":\(self.now)}")
        }
        router.get("/fapi/v1/exchangeInfo") { _, _ -> Response in
            Self.json(.ok, (try? Fixture.text("exchange_info.json")) ?? "{}")
        }
        router.post("/fapi/v1/order") { request, _ -> Response in
            if let failure = self.authenticate(request) { return failure }
            let query = request.uri.query ?? ""
            let clientID = request.uri.queryParameters["newClientOrderId"].map(String.init) ?? ""
            let scripted: (Int, String, String?)? = self.state.withLock { state in
                state.orderPosts.append(query)
                return state.scriptedOrderResponses.isEmpty ? nil : state.scriptedOrderResponses.removeFirst()
            }
            if let (status, body, retryAfter) = scripted {
                if self.state.current.bookScriptedOrders { _ = self.book(clientID) }
                var headers: HTTPFields = [.contentType: "application/json"]
                if let retryAfter { headers[.retryAfter] = retryAfter }
                return Response(
                    status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            let orderID = self.book(clientID)
            return Self.json(.ok, Self.orderJSON(orderID: orderID, clientID: clientID, request: request))
        }
        router.get("/fapi/v1/order") { request, _ -> Response in
            if let failure = self.authenticate(request) { return failure }
            let clientID = request.uri.queryParameters["origClientOrderId"].map(String.init) ?? ""
            let orderID: Int64? = self.state.withLock { state in
                state.orderLookups += 1
                return state.orders[clientID]
            }
            guard let orderID else {
                return Self.json(.badRequest, "{\"code\":-2013,\"msg\":\"Order does not exist.\"}")
            }
            return Self.json(.ok, Self.orderJSON(orderID: orderID, clientID: clientID, request: request))
        }
        router.post("/fapi/v1/algoOrder") { request, _ -> Response in
            if let failure = self.authenticate(request) { return failure }
            let parameters = request.uri.queryParameters
            self.state.withLock { $0.algoPosts.append(request.uri.query ?? "") }
            let body = """
                {"algoId":2146760,"clientAlgoId":"\(parameters["clientAlgoId"] ?? "")","algoType":"CONDITIONAL",\
                "orderType":"\(parameters["type"] ?? "")","symbol":"\(parameters["symbol"] ?? "")",\
                "side":"\(parameters["side"] ?? "")","algoStatus":"NEW","quantity":"\(parameters["quantity"] ?? "")",\
                "triggerPrice":"\(parameters["triggerPrice"] ?? "")","reduceOnly":true,"updateTime":1750485492076}
                """
            return Self.json(.ok, body)
        }
    }

    private func book(_ clientID: String) -> Int64 {
        state.withLock { state in
            if let existing = state.orders[clientID] { return existing }
            state.nextOrderID += 1
            state.orders[clientID] = state.nextOrderID
            return state.nextOrderID
        }
    }

    /// Binance's checks, in Binance's order: key, signature, timestamp. Failures are counted by code.
    private func authenticate(_ request: Request) -> Response? {
        guard let (code, message) = checkAuthentication(request) else { return nil }
        state.withLock { $0.authenticationFailures.append(code) }
        return Self.json(code == -2015 ? .unauthorized : .badRequest, "{\"code\":\(code),\"msg\":\"\(message)\"}")
    }

    private func checkAuthentication(_ request: Request) -> (Int, String)? {
        guard request.headers[HTTPField.Name("X-MBX-APIKEY")!] == Self.apiKey else {
            return (-2015, "Invalid API-key, IP, or permissions for action.")
        }
        let query = request.uri.query ?? ""
        guard let range = query.range(of: "&signature=", options: .backwards) else {
            return (-1102, "Mandatory parameter 'signature' was not sent.")
        }
        let signed = String(query[..<range.lowerBound])
        let signature = String(query[range.upperBound...])
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array(signed.utf8), using: SymmetricKey(data: Array(Self.secret.utf8)))
        let expected = mac.map { String(format: "%02x", $0) }.joined()
        guard signature.lowercased() == expected else { return (-1022, "Signature for this request is not valid.") }
        let parameters = request.uri.queryParameters
        guard let timestamp = parameters["timestamp"].flatMap({ Int64(String($0)) }) else {
            return (-1102, "Mandatory parameter 'timestamp' was not sent.")
        }
        let recvWindow = parameters["recvWindow"].flatMap { Int64(String($0)) } ?? 5000
        let serverTime = now
        guard timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow else {
            return (-1021, "Timestamp for this request is outside of the recvWindow.")
        }
        return nil
    }

    static func orderJSON(orderID: Int64, clientID: String, request: Request) -> String {
        let parameters = request.uri.queryParameters
        return """
            {"orderId":\(orderID),"clientOrderId":"\(clientID)","symbol":"\(parameters["symbol"] ?? "BTCUSDT")",\
            "side":"\(parameters["side"] ?? "BUY")","type":"\(parameters["type"] ?? "MARKET")","status":"NEW",\
            "price":"0","stopPrice":"0","origQty":"\(parameters["quantity"] ?? "0")","executedQty":"0",\
            "reduceOnly":false,"updateTime":1723161256322}
            """
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
