import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
import ReflexCore
import ReflexExchange
public import ReflexWebhook
import Synchronization

/// The operator's endpoints on the webhook listener:
/// - `POST /control/<action>` (`mode/trend`, `mode/range`, `pause`, `resume`, `flatten`, `status`), signed with the
///   control secret exactly like a webhook (Standard Webhooks headers over `id.timestamp.body`); a replayed id is
///   answered but not applied again;
/// - `GET /metrics`, Prometheus text.
public final class ControlRoutes: Sendable {
    let verifier: StandardWebhookVerifier
    let runtime: TradingRuntime
    let metrics: RuntimeMetrics
    let seen = Mutex<[String]>([])

    public init(controlSecret: WebhookSecret, runtime: TradingRuntime, metrics: RuntimeMetrics) {
        verifier = StandardWebhookVerifier(secrets: [controlSecret])
        self.runtime = runtime
        self.metrics = metrics
    }

    public func register(on router: Router<WebhookRequestContext>) {
        router.post("control/**") { request, context in
            try await self.handle(request, context: context)
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: self.metrics.prometheusText(
                            status: self.runtime.status(), reconnects: ResilientWebSocket.reconnectsInProcess))))
        }
    }

    func handle(_ request: Request, context: WebhookRequestContext) async throws -> Response {
        let body = Array((try await request.body.collect(upTo: 4096)).readableBytesView)
        let now = Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9))
        let delivery: VerifiedDelivery
        do {
            delivery = try verifier.verify(
                id: request.headers[HTTPField.Name("webhook-id")!],
                timestamp: request.headers[HTTPField.Name("webhook-timestamp")!],
                signature: request.headers[HTTPField.Name("webhook-signature")!], body: body, now: now)
        } catch {
            return Self.json(.unauthorized, #"{"error":"control request not signed with the control secret"}"#)
        }
        let path = String(request.uri.path.dropFirst("/control/".count))
        guard let operatorRequest = OperatorRequest(path: path) else {
            return Self.json(
                .notFound,
                #"{"error":"unknown control action; use mode/trend, mode/range, pause, resume, flatten, status"}"#)
        }
        // The market, from the signed body: `{"symbol":"ETHUSDT"}`, or `{}` for every market.
        var symbol: String?
        if let json = try? JSONValue.parse(String(decoding: body, as: UTF8.self)), case .object(let members) = json,
            let value = members.first(where: { $0.key == "symbol" })?.value
        {
            guard case .string(let text) = value, runtime.market(symbol: text) != nil else {
                let traded = runtime.configuration.engines.map(\.strategy.symbol).joined(separator: ", ")
                var shown = "a \(value.typeName)"
                if case .string(let text) = value {
                    shown = String(text.prefix(40).filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
                }
                return Self.json(
                    .unprocessableContent, #"{"error":"symbol: no market trades \#(shown); markets: \#(traded)"}"#)
            }
            symbol = text
        }
        let duplicate = seen.withLock { ids -> Bool in
            if ids.contains(delivery.id) { return true }
            ids.append(delivery.id)
            if ids.count > 1000 { ids.removeFirst(ids.count - 1000) }
            return false
        }
        if let action = operatorRequest.action, !duplicate {
            // Applied before this returns: the answer below already shows the command's effect.
            runtime.deliver(.control(ControlCommand(action: action, source: "operator", time: now, symbol: symbol)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var current = runtime.status()
        if let latency = metrics.tickToOrderPercentiles() {
            current.tickToOrder = .init(
                p50Micros: latency.p50 * 1e6, p99Micros: latency.p99 * 1e6, orders: latency.count)
        }
        let status = (try? encoder.encode(current)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Self.json(.ok, #"{"status":"\#(duplicate ? "duplicate" : "ok")","bot":\#(status)}"#)
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
