import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ReflexCore
import Synchronization

@testable import ReflexWebhook

/// Collects what the listener delivers, for assertions.
final class DeliveryRecorder: Sendable {
    private let items = Mutex<[AcceptedWebhook]>([])
    func record(_ delivery: AcceptedWebhook) { items.withLock { $0.append(delivery) } }
    var deliveries: [AcceptedWebhook] { items.withLock { $0 } }
}

/// Fixed-time fixtures shared by the listener tests.
enum Fixture {
    /// The official Standard Webhooks vector.
    static let vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let vectorID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let vectorTimestamp: Int64 = 1_614_265_330
    static let vectorPayload = #"{"test": 2432232314}"#
    static let vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    /// "Now" for the listener tests.
    static let now: Int64 = 1_700_000_000
    static let secret = try! WebhookSecret("whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
    static let tradingViewSecret = "tv-shared-secret-0123456789"

    static func orderFilled(
        symbol: String = "BTCUSDT", price: String = "\"61800.30\"", quantity: String = "\"0.002\"",
        tradeID: String = "\"t-1\""
    ) -> String {
        #"{"type":"order.filled","timestamp":"2023-11-14T22:13:20.000Z","data":{"symbol":"\#(symbol)","orderId":123456789,"clientOrderId":"rfx-e-1","tradeId":\#(tradeID),"side":"BUY","price":\#(price),"quantity":\#(quantity),"cumulativeQuantity":"0.002","status":"FILLED","fee":"0.04944024","feeAsset":"USDT","time":1700000000000}}"#
    }

    static func headers(
        id: String, body: String, timestamp: Int64 = now, secret: WebhookSecret = secret
    ) -> HTTPFields {
        var fields = HTTPFields()
        for header in StandardWebhookSigner(secret: secret).headers(
            id: id, timestamp: timestamp, body: Array(body.utf8))
        {
            fields[HTTPField.Name(header.name)!] = header.value
        }
        fields[.contentType] = "application/json"
        return fields
    }

    static func configuration(
        rateLimit: Double = 0, rateBurst: Double = 100, deadLetterPath: String? = nil, allow: Set<String> = [],
        symbols: Set<String>? = nil, maxBodyBytes: Int = 64 * 1024
    ) -> WebhookConfiguration {
        WebhookConfiguration(
            host: "127.0.0.1", port: 0, secrets: [secret], tradingViewSecret: SharedSecret(tradingViewSecret),
            tradingViewAllowList: allow, symbols: symbols, deadLetterPath: deadLetterPath, maxBodyBytes: maxBodyBytes,
            rateLimit: rateLimit, rateBurst: rateBurst)
    }

    static func listener(
        _ configuration: WebhookConfiguration, now: Int64 = now, recorder: DeliveryRecorder
    ) throws -> WebhookListener {
        var logger = Logger(label: "webhook-test")
        logger.logLevel = .warning
        return try WebhookListener(
            configuration: configuration, logger: logger, clock: { .seconds(now) },
            deliver: { recorder.record($0) })
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reflex-webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Dead-letter lines as JSON objects.
    static func deadLetters(at path: String) throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }
}

extension HTTPField.Name {
    static let testWebhookID = Self("webhook-id")!
    static let testWebhookTimestamp = Self("webhook-timestamp")!
    static let testWebhookSignature = Self("webhook-signature")!
}

/// Keeps every log line, to check what the listener writes (and never writes).
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "capture") { _ in CapturingLogHandler(capture: self) }
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        capture.append(([event.level.rawValue, event.message.description] + fields).joined(separator: " "))
    }
}
