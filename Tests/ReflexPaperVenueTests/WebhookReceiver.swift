import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A tiny webhook receiver on loopback that records every delivery and checks its Standard Webhooks signature
/// independently of the venue's signer.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        let id: String
        let timestamp: String
        let signature: String
        let body: String
        /// The signature verified against the secret, computed here from scratch.
        let isSignatureValid: Bool
        var object: [String: Any] { PaperVenueHarness.object(body) ?? [:] }
        var type: String { object["type"] as? String ?? "" }
        var data: [String: Any] { object["data"] as? [String: Any] ?? [:] }
    }

    private let deliveries = Mutex<[Delivery]>([])
    private let port = Mutex<Int?>(nil)
    /// Answer 500 to this many requests first (to exercise retries).
    private let failuresLeft: Mutex<Int>
    private let key: SymmetricKey

    init(secret: String, failFirst: Int = 0) {
        failuresLeft = Mutex(failFirst)
        let encoded = String(secret.dropFirst("whsec_".count))
        key = SymmetricKey(data: Data(base64Encoded: encoded)!)
    }

    var received: [Delivery] { deliveries.withLock { $0 } }

    /// Runs the receiver for the duration of `body`, handing it the receiver's URL.
    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("webhook") { request, _ -> HTTPResponse.Status in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: bytes)
            let id = request.headers[HTTPField.Name("webhook-id")!] ?? ""
            let timestamp = request.headers[HTTPField.Name("webhook-timestamp")!] ?? ""
            let signature = request.headers[HTTPField.Name("webhook-signature")!] ?? ""
            let valid = self.verify(id: id, timestamp: timestamp, body: text, header: signature)
            let fail = self.failuresLeft.withLock { left -> Bool in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            self.deliveries.withLock {
                $0.append(
                    Delivery(id: id, timestamp: timestamp, signature: signature, body: text, isSignatureValid: valid))
            }
            return fail ? .internalServerError : .noContent
        }
        var logger = Logger(label: "test.webhook-receiver")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { [self] channel in self.port.withLock { $0 = channel.localAddress?.port } },
            logger: logger)
        let services = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            let bound = try await PaperVenueHarness.withTimeout(30, "the webhook receiver") {
                while true {
                    if let port = self.port.withLock({ $0 }) { return port }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            do {
                try await body("http://127.0.0.1:\(bound)/webhook")
            } catch {
                group.cancelAll()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.next()
        }
    }

    /// Waits for the first delivery of `type` whose data satisfies `predicate`.
    func first(
        _ type: String, seconds: Double = 30,
        where predicate: @escaping @Sendable ([String: Any]) -> Bool = { _ in true }
    ) async throws -> Delivery {
        try await PaperVenueHarness.withTimeout(seconds, "webhook \(type)") {
            while true {
                if let match = self.received.first(where: { $0.type == type && predicate($0.data) }) { return match }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    private func verify(id: String, timestamp: String, body: String, header: String) -> Bool {
        let content = Array("\(id).\(timestamp).\(body)".utf8)
        for entry in header.split(separator: " ") where entry.hasPrefix("v1,") {
            guard let mac = Data(base64Encoded: String(entry.dropFirst(3))) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: content, using: key) { return true }
        }
        return false
    }
}
