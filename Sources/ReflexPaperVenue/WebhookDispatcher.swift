import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ReflexCore
import ReflexWebhook
import ServiceLifecycle
import Synchronization

/// Posts the venue's account events as Standard-Webhooks-signed JSON to the configured receiver.
///
/// Deliveries leave in order, one at a time; a failed one is retried with exponential backoff under the *same*
/// `webhook-id`, so the receiver can de-duplicate. The queue is bounded: when a receiver is down for long, the
/// newest deliveries are dropped and logged rather than growing memory.
final class WebhookDispatcher: Service {
    struct Delivery: Sendable {
        let id: String
        let type: String
        let body: String
    }

    private let configuration: PaperVenueConfiguration.Webhook
    private let faults: PaperVenueConfiguration.Faults
    private let signer: StandardWebhookSigner
    private let logger: Logger
    private let deliveries: AsyncStream<Delivery>
    private let continuation: AsyncStream<Delivery>.Continuation
    private let idPrefix: String
    private let sequence = Mutex<Int64>(0)

    init(configuration: PaperVenueConfiguration.Webhook, faults: PaperVenueConfiguration.Faults, logger: Logger) {
        self.configuration = configuration
        self.faults = faults
        // A `whsec_` secret as the listener reads it; anything else signs with its raw bytes (tests, local tools).
        self.signer = StandardWebhookSigner(
            secret: (try? WebhookSecret(configuration.secret))
                ?? WebhookSecret(key: SymmetricKey(data: Array(configuration.secret.utf8))))
        self.logger = logger
        (deliveries, continuation) = AsyncStream.makeStream(
            of: Delivery.self, bufferingPolicy: .bufferingOldest(max(1, configuration.queueCapacity)))
        idPrefix = "msg_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Queues one event: `{"type":…,"timestamp":"<RFC3339>","data":{…}}`.
    func post(type: String, time: Timestamp, data: String) {
        let number = sequence.withLock { value in
            value += 1
            return value
        }
        let body = #"{"type":"\#(type)","timestamp":"\#(time.rfc3339)","data":\#(data)}"#
        let delivery = Delivery(id: "\(idPrefix)_\(number)", type: type, body: body)
        if case .dropped = continuation.yield(delivery) {
            logger.error("webhook queue full; delivery dropped", metadata: ["webhook.id": "\(delivery.id)"])
        }
    }

    func run() async throws {
        // Its own client: a short connect timeout, so a receiver that is down fails an attempt in seconds and the
        // retry schedule (not a 10 s connect wait) decides the pace.
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(timeout: .init(connect: .seconds(2))))
        // On shutdown the in-flight attempt and its retries are cancelled; whatever is still queued is dropped.
        await cancelWhenGracefulShutdown { await self.deliverQueue(client) }
        continuation.finish()
        try? await client.shutdown()
    }

    private func deliverQueue(_ client: HTTPClient) async {
        if faults.reorderWebhooks {
            // Each delivery waits a random moment before leaving, so neighbours overtake one another.
            await withTaskGroup(of: Void.self) { group in
                for await delivery in deliveries {
                    group.addTask {
                        try? await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
                        await self.deliver(delivery, client)
                    }
                }
            }
        } else {
            for await delivery in deliveries {
                await deliver(delivery, client)
            }
        }
    }

    private func deliver(_ delivery: Delivery, _ client: HTTPClient) async {
        await attempt(delivery, client)
        if faults.duplicateWebhooks { await attempt(delivery, client) }
    }

    private func attempt(_ delivery: Delivery, _ client: HTTPClient) async {
        var backoff = configuration.initialBackoff
        for attempt in 1...max(1, configuration.maxAttempts) {
            guard !Task.isCancelled else { return }
            var request = HTTPClientRequest(url: configuration.url)
            request.method = .POST
            let timestamp = Int64(Date().timeIntervalSince1970)
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "user-agent", value: "reflex-paper-venue")
            request.headers.add(name: "webhook-id", value: delivery.id)
            request.headers.add(name: "webhook-timestamp", value: String(timestamp))
            request.headers.add(
                name: "webhook-signature",
                value: signer.signature(id: delivery.id, timestamp: timestamp, body: Array(delivery.body.utf8)))
            request.body = .bytes(ByteBuffer(string: delivery.body))
            do {
                let response = try await client.execute(
                    request, timeout: .nanoseconds(Int64(configuration.timeout.nanoseconds)))
                _ = try await response.body.collect(upTo: 1 << 16)
                if (200..<300).contains(response.status.code) { return }
                logger.warning(
                    "webhook rejected",
                    metadata: [
                        "webhook.id": "\(delivery.id)", "status": "\(response.status.code)", "attempt": "\(attempt)",
                    ])
            } catch {
                logger.warning(
                    "webhook delivery failed",
                    metadata: ["webhook.id": "\(delivery.id)", "error": "\(error)", "attempt": "\(attempt)"])
            }
            if attempt < configuration.maxAttempts {
                do { try await Task.sleep(for: backoff) } catch { return }
                backoff = min(backoff * 2, configuration.maxBackoff)
            }
        }
        logger.error("webhook given up", metadata: ["webhook.id": "\(delivery.id)", "type": "\(delivery.type)"])
    }
}

extension Duration {
    /// Whole nanoseconds (saturating), for APIs that take `TimeAmount`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
