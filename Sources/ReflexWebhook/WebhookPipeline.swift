import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ReflexCore
import Synchronization

/// The request path of the listener: rate limit → size → authenticate → replay guard → parse → route.
/// Holds the shared state (replay guard, rate limiter, dead-letter file); every check before routing is pure.
final class WebhookPipeline: Sendable {
    let configuration: WebhookConfiguration
    let verifier: StandardWebhookVerifier
    let parser: NativeEventParser
    let alertParser: TradingViewAlertParser?
    let deadLetter: DeadLetterLog?
    let clock: WebhookClock
    let logger: Logger
    let deliver: @Sendable (AcceptedWebhook) -> Void
    let observe: @Sendable (_ route: String, _ status: Int) -> Void
    private let replayGuard: Mutex<ReplayGuard>
    private let rateLimiter: Mutex<SourceRateLimiter>
    private let alertSequence = Atomic<Int>(0)

    init(
        configuration: WebhookConfiguration, deadLetter: DeadLetterLog?, clock: @escaping WebhookClock,
        logger: Logger, observe: @escaping @Sendable (_ route: String, _ status: Int) -> Void = { _, _ in },
        deliver: @escaping @Sendable (AcceptedWebhook) -> Void
    ) {
        self.configuration = configuration
        self.verifier = StandardWebhookVerifier(secrets: configuration.secrets, tolerance: configuration.tolerance)
        self.parser = NativeEventParser(symbols: configuration.symbols)
        self.alertParser = configuration.tradingViewSecret.map {
            TradingViewAlertParser(secret: $0, symbols: configuration.symbols)
        }
        self.deadLetter = deadLetter
        self.clock = clock
        self.logger = logger
        self.deliver = deliver
        self.observe = observe
        self.replayGuard = Mutex(ReplayGuard(capacity: configuration.replayCapacity))
        self.rateLimiter = Mutex(SourceRateLimiter(rate: configuration.rateLimit, burst: configuration.rateBurst))
    }

    // MARK: Routes

    /// `POST /webhooks/events`.
    func receiveEvent(_ request: Request, context: WebhookRequestContext) async -> Response {
        let started = ContinuousClock.now
        let source = context.sourceAddress
        let outcome = await eventOutcome(request, source: source)
        record(outcome, route: WebhookRoute.events.rawValue, source: source, started: started)
        return outcome.response
    }

    /// `POST /webhooks/tradingview`.
    func receiveAlert(_ request: Request, context: WebhookRequestContext) async -> Response {
        let started = ContinuousClock.now
        let source = context.sourceAddress
        let outcome = await alertOutcome(request, source: source)
        record(outcome, route: WebhookRoute.tradingView.rawValue, source: source, started: started)
        return outcome.response
    }

    // MARK: Steps

    private func eventOutcome(_ request: Request, source: String) async -> WebhookOutcome {
        if let limited = admit(source: source) { return limited }
        let body: [UInt8]
        do throws(WebhookRejection) {
            body = try await readBody(request)
        } catch {
            return .rejected(error)
        }
        let now = clock()
        let delivery: VerifiedDelivery
        switch admitSigned(request, body: body, verifier: verifier, now: now) {
        case .fresh(let verified): delivery = verified
        case .answered(let outcome): return outcome
        }
        do throws(WebhookRejection) {
            switch try parser.parse(body) {
            case .ping:
                return .answer(.ok, "ok", type: "ping", id: delivery.id)
            case .ignored(let type):
                return .answer(.accepted, "ignored", type: type, id: delivery.id)
            case .event(let type, let event, let data):
                deliver(
                    AcceptedWebhook(
                        id: delivery.id, route: .events, type: type, event: event, data: data, source: source,
                        receivedAt: now))
                return .answer(.ok, "accepted", type: type, id: delivery.id)
            }
        } catch {
            keep(body, headers: request.headers, route: .events, source: source, rejection: error, now: now)
            return .rejected(error, id: delivery.id)
        }
    }

    private func alertOutcome(_ request: Request, source: String) async -> WebhookOutcome {
        guard let alertParser else { return .rejected(WebhookRejection(.unauthenticated, "route disabled")) }
        if let limited = admit(source: source) { return limited }
        let allowList = configuration.tradingViewAllowList
        guard allowList.isEmpty || allowList.contains(source) else {
            return .rejected(WebhookRejection(.forbidden, "source address not allowed"))
        }
        let body: [UInt8]
        do throws(WebhookRejection) {
            body = try await readBody(request)
        } catch {
            return .rejected(error)
        }
        let now = clock()
        do throws(WebhookRejection) {
            let alert = try alertParser.parse(body, now: now)
            let id = "tv_\(now.milliseconds)_\(alertSequence.add(1, ordering: .relaxed).newValue)"
            deliver(
                AcceptedWebhook(
                    id: id, route: .tradingView, type: alert.type, event: alert.event, data: alert.data,
                    source: source, receivedAt: now))
            return .answer(.ok, "accepted", type: alert.type, id: id)
        } catch {
            if error.isDeadLettered {
                // The alert authenticated, so it is kept; the secret inside it is not.
                keep(
                    alertParser.secret.redacting(body), headers: request.headers, route: .tradingView,
                    source: source, rejection: error, now: now)
            }
            return .rejected(error)
        }
    }

    /// The result of checking a signed request: go on with a fresh delivery, or answer now.
    private enum SignedAdmission {
        case fresh(VerifiedDelivery)
        case answered(WebhookOutcome)
    }

    /// Signature, freshness and replay checks shared by every Standard Webhooks-signed route (a later
    /// `/control/<action>` route passes its own verifier with the control secrets).
    private func admitSigned(
        _ request: Request, body: [UInt8], verifier: StandardWebhookVerifier, now: Timestamp
    ) -> SignedAdmission {
        let delivery: VerifiedDelivery
        do throws(WebhookRejection) {
            delivery = try verifier.verify(
                id: request.headers[.webhookID], timestamp: request.headers[.webhookTimestamp],
                signature: request.headers[.webhookSignature], body: body, now: now)
        } catch {
            return .answered(.rejected(error, id: request.headers[.webhookID].map { String($0.prefix(64)) }))
        }
        let expiry = Timestamp.seconds(delivery.timestamp) + verifier.tolerance
        switch replayGuard.withLock({ $0.admit(delivery.id, expiresAt: expiry, now: now) }) {
        case .fresh: return .fresh(delivery)
        case .duplicate: return .answered(.answer(.ok, "duplicate", id: delivery.id))
        case .full:
            let rejection = WebhookRejection(.overloaded, "too many deliveries remembered; retry later")
            return .answered(.rejected(rejection, id: delivery.id))
        }
    }

    /// Nil when `source` may proceed; a 429 outcome otherwise.
    private func admit(source: String) -> WebhookOutcome? {
        guard configuration.rateLimit > 0 else { return nil }
        let now = clock()
        let decision = rateLimiter.withLock { $0.admit(source: source, now: now) }
        guard let seconds = decision.retryAfterSeconds else { return nil }
        return .rateLimited(retryAfter: seconds)
    }

    /// The raw body, refused with 413 above the limit (by `Content-Length` before reading, or while reading).
    private func readBody(_ request: Request) async throws(WebhookRejection) -> [UInt8] {
        let limit = configuration.maxBodyBytes
        let tooLarge = WebhookRejection(.tooLarge, "body larger than \(limit) bytes")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            throw WebhookRejection(.malformed, "could not read the body")
        }
    }

    private func keep(
        _ body: [UInt8], headers: HTTPFields, route: WebhookRoute, source: String, rejection: WebhookRejection,
        now: Timestamp
    ) {
        let entry = DeadLetterLog.Entry(
            receivedAt: now, route: route.rawValue, source: source, status: rejection.statusCode,
            field: rejection.field, reason: rejection.reason,
            headers: headers.map { ($0.name.canonicalName, $0.value) }, body: body)
        guard let deadLetter else {
            logger.warning(
                "no dead-letter file configured; refused body not kept", metadata: ["route": "\(route.rawValue)"])
            return
        }
        do {
            try deadLetter.append(entry)
        } catch {
            logger.error("dead-letter write failed", metadata: ["path": "\(deadLetter.path)", "error": "\(error)"])
        }
    }

    /// `GET /healthz`: liveness only, nothing about secrets or state.
    func answerHealth(_ request: Request, context: WebhookRequestContext) -> Response {
        let started = ContinuousClock.now
        let outcome = WebhookOutcome.answer(.ok, "ok")
        record(outcome, route: "/healthz", source: context.sourceAddress, started: started)
        return outcome.response
    }

    /// The one log line per request.
    func record(_ outcome: WebhookOutcome, route: String, source: String, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let (seconds, attoseconds) = elapsed.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        var metadata: Logger.Metadata = [
            "source": "\(source)", "route": "\(route)", "status": "\(outcome.status.code)",
            "result": "\(outcome.result)",
            "latency_us": "\(micros)",
        ]
        if let type = outcome.type { metadata["type"] = "\(type)" }
        if let id = outcome.id { metadata["id"] = "\(id)" }
        if let rejection = outcome.rejection { metadata["error"] = "\(rejection)" }
        logger.info("webhook", metadata: metadata)
        observe(route, Int(outcome.status.code))
    }
}

extension HTTPField.Name {
    /// Standard Webhooks message id.
    static let webhookID = Self("webhook-id")!
    /// Standard Webhooks unix-seconds timestamp.
    static let webhookTimestamp = Self("webhook-timestamp")!
    /// Standard Webhooks signature list.
    static let webhookSignature = Self("webhook-signature")!
}
