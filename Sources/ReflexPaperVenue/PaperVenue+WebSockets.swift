import Foundation
import Hummingbird
import HummingbirdWebSocket
import ServiceLifecycle

extension PaperVenue {
    /// The WebSocket routes: `/market/ws/<streams>`, `/market/stream?streams=`, `/private/ws/<listenKey>` and
    /// `/private/ws?listenKey=` (A1 post-split URLs).
    func makeWebSocketRouter() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("market/ws") { inbound, outbound, _ in
            await self.serveMarket(streams: [], combined: false, inbound: inbound, outbound: outbound)
        }
        router.ws("market/ws/**") { inbound, outbound, context in
            let streams = context.requestContext.parameters.getCatchAll().map(String.init)
            await self.serveMarket(streams: streams, combined: false, inbound: inbound, outbound: outbound)
        }
        router.ws("market/stream") { inbound, outbound, context in
            let streams = context.request.uri.queryParameters["streams"].map {
                $0.split(separator: "/").map(String.init)
            }
            await self.serveMarket(streams: streams ?? [], combined: true, inbound: inbound, outbound: outbound)
        }
        let userData = self.userData
        let privateUpgrade: @Sendable (Request, BasicWebSocketRequestContext) async throws -> RouterShouldUpgrade = {
            request, context in
            let key = context.parameters.get("listenKey") ?? request.uri.queryParameters["listenKey"].map(String.init)
            guard let key, userData.isActive(key) else { return .dontUpgrade }
            return .upgrade([:])
        }
        let privateHandler: WebSocketDataHandler<WebSocketRouterContext<BasicWebSocketRequestContext>> = {
            inbound, outbound, context in
            let key =
                context.requestContext.parameters.get("listenKey")
                ?? context.request.uri.queryParameters["listenKey"].map(String.init) ?? ""
            await self.servePrivate(listenKey: key, inbound: inbound, outbound: outbound)
        }
        router.ws("private/ws/:listenKey", shouldUpgrade: privateUpgrade, onUpgrade: privateHandler)
        router.ws("private/ws", shouldUpgrade: privateUpgrade, onUpgrade: privateHandler)
        return router
    }

    /// One market-data connection: the tape for its streams, plus Binance's live SUBSCRIBE protocol (A9).
    private func serveMarket(
        streams: [String], combined: Bool, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async {
        let feed = marketFeed
        let (id, messages) = feed.subscribe(streams: streams, combined: combined)
        await WebSocketSession.run(
            messages: messages, endMessages: { feed.unsubscribe(id) }, inbound: inbound, outbound: outbound,
            dropAfter: configuration.faults.dropMarketStreamEvery
        ) { text in
            MarketSubscriptionRequest.handle(text, subscriber: id, feed: feed)
        }
    }

    /// One user-data connection: every account event while its listenKey is active.
    private func servePrivate(
        listenKey: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async {
        let userData = self.userData
        guard let (id, messages) = userData.subscribe(listenKey: listenKey) else { return }
        await WebSocketSession.run(
            messages: messages, endMessages: { userData.unsubscribe(id) }, inbound: inbound, outbound: outbound)
    }
}

/// Binance's live subscription messages on a market connection:
/// `{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":1}` → `{"result":null,"id":1}`.
enum MarketSubscriptionRequest {
    private struct Message: Decodable {
        let method: String
        let params: [String]?
        let id: Int64?
    }

    /// The reply to write, or nil when the reply was queued with the connection's stream messages (so that it
    /// precedes the trades of the streams it subscribed).
    static func handle(_ text: String, subscriber: Int, feed: MarketFeed) -> String? {
        guard let message = try? JSONDecoder().decode(Message.self, from: Data(text.utf8)) else {
            return #"{"code":3,"msg":"Invalid JSON: expected a SUBSCRIBE, UNSUBSCRIBE or LIST_SUBSCRIPTIONS request"}"#
        }
        let id = message.id.map(String.init) ?? "null"
        let done: ([String]) -> String = { _ in #"{"result":null,"id":\#(id)}"# }
        switch message.method.uppercased() {
        case "SUBSCRIBE":
            feed.change(subscriber: subscriber, subscribe: message.params ?? [], reply: done)
        case "UNSUBSCRIBE":
            feed.change(subscriber: subscriber, unsubscribe: message.params ?? [], reply: done)
        case "LIST_SUBSCRIPTIONS":
            feed.change(subscriber: subscriber) { streams in
                #"{"result":\#(JSONText.array(streams.map { "\"\($0)\"" })),"id":\#(id)}"#
            }
        default:
            return #"{"code":2,"msg":"Invalid request: unknown method","id":\#(id)}"#
        }
        return nil
    }
}
