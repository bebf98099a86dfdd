import AsyncHTTPClient
import Crypto
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import ReflexCore
import ServiceLifecycle
import Synchronization
import Testing

@testable import ReflexPaperVenue

/// Test fixtures for the paper venue: tapes, a running venue, a signing REST client, WebSocket collectors.
enum PaperVenueHarness {
    static let apiKey = "test-key-0123456789"
    static let apiSecret = "test-secret-abcdef"
    static let webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let logger: Logger = {
        var logger = Logger(label: "test.venue")
        logger.logLevel = .warning
        return logger
    }()

    struct TimeoutError: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// A tape with one trade per price, `spacing` ms apart, ids from 1000, alternating aggressors.
    static func ticks(_ prices: [String], spacing: Int64 = 50, quantity: String = "0.005") -> [Tick] {
        prices.enumerated().map { index, price in
            Tick(
                time: .milliseconds(1_723_161_256_000 + Int64(index) * spacing), price: Price(price)!,
                quantity: Quantity(quantity)!, aggressor: index % 2 == 0 ? .buy : .sell, tradeID: 1000 + Int64(index))
        }
    }

    static func configuration(
        ticks: [Tick], speed: Double = 1, loop: Bool = false, leverage: Int = 10, webhookURL: String? = nil,
        faults: PaperVenueConfiguration.Faults = .none
    ) -> PaperVenueConfiguration {
        PaperVenueConfiguration(
            symbol: "BTCUSDT", tape: .ticks(ticks), port: 0, speed: speed, loop: loop, loopGap: .seconds(1),
            tapeStart: .onFirstSubscriber, credentials: .init(apiKey: apiKey, secret: apiSecret),
            webhook: webhookURL.map {
                .init(url: $0, secret: webhookSecret, initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200))
            }, leverage: leverage, faults: faults)
    }

    /// Runs a venue for the duration of `body`, handing it the bound port.
    static func withVenue(
        _ configuration: PaperVenueConfiguration, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        try await withRunningVenue(configuration) { _, port in try await body(port) }
    }

    /// Runs a venue for the duration of `body`, handing it the venue and its bound port.
    ///
    /// Every wait in this harness has a generous limit: it only matters when the awaited thing never happens, and
    /// a loaded 2-core CI machine running the suite in parallel can be many times slower than a laptop.
    static func withRunningVenue(
        _ configuration: PaperVenueConfiguration, _ body: @Sendable (PaperVenue, Int) async throws -> Void
    ) async throws {
        let venue = PaperVenue(configuration: configuration, logger: logger)
        // A graceful shutdown, as on SIGTERM: the venue must stop by itself, promptly.
        let services = ServiceGroup(services: [venue], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            let port = try await withTimeout(30, "the venue to listen") { try await venue.boundPort() }
            do {
                try await body(venue, port)
            } catch {
                group.cancelAll()
                throw error
            }
            await services.triggerGracefulShutdown()
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                throw TimeoutError(what: "the venue to shut down")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Waits until the venue has attached `count` user-data connections: a client whose connection is open may not
    /// be attached yet, and events published before it is are not sent to it.
    static func waitForUserStreams(_ venue: PaperVenue, count: Int = 1) async throws {
        try await withTimeout(30, "the user-data stream to attach") {
            while venue.userData.connectionCount < count { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// Runs `operation`, failing after `seconds`.
    static func withTimeout<T: Sendable>(
        _ seconds: Double, _ what: String, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                throw TimeoutError(what: what)
            }
            let result = try await group.next()!
            group.cancelAll()
            return result
        }
    }

    // MARK: REST

    struct RESTResult: Sendable {
        let status: Int
        let body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
        var code: Int? { object["code"] as? Int }
    }

    enum Signing: Sendable {
        case valid
        case wrongSecret
        case none
    }

    /// Sends a Binance-style request: parameters in the query for GET/DELETE, in a form body for POST/PUT,
    /// `timestamp` and `signature` appended as Binance's connector does.
    static func send(
        _ method: HTTPMethod, port: Int, path: String, _ parameters: [(String, String)] = [],
        signing: Signing = .valid, timestampOffset: Int64 = 0, apiKey: String? = PaperVenueHarness.apiKey
    ) async throws -> RESTResult {
        var parameters = parameters
        if signing != .none {
            let now = Int64(Date().timeIntervalSince1970 * 1000) + timestampOffset
            parameters.append(("timestamp", String(now)))
        }
        var text = parameters.map { "\($0.0)=\(percentEncoded($0.1))" }.joined(separator: "&")
        if signing != .none {
            let secret = signing == .valid ? apiSecret : "not-the-secret"
            text += (text.isEmpty ? "" : "&") + "signature=" + sign(text, secret: secret)
        }
        let inBody = method == .POST || method == .PUT
        var request = HTTPClientRequest(
            url: "http://127.0.0.1:\(port)/\(path)" + (inBody || text.isEmpty ? "" : "?" + text))
        request.method = method
        if let apiKey { request.headers.add(name: "X-MBX-APIKEY", value: apiKey) }
        if inBody {
            request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: text))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        return RESTResult(status: Int(response.status.code), body: String(buffer: body))
    }

    /// Hex HMAC-SHA256, as Binance signs (A3).
    static func sign(_ payload: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array(payload.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? text
    }

    // MARK: WebSockets

    /// Connects a WebSocket client in `group`; every text message lands in the returned inbox.
    static func connect(
        url: String, sending first: String? = nil, in group: inout ThrowingTaskGroup<Void, any Error>
    ) -> Inbox {
        let inbox = Inbox()
        group.addTask {
            defer { inbox.finish() }
            _ = try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                inbox.markConnected()
                if let first { try await outbound.write(.text(first)) }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { inbox.append(text) }
                }
            }
        }
        return inbox
    }

    /// Collected messages, waited on by predicate.
    final class Inbox: Sendable {
        private let state = Mutex<(messages: [String], finished: Bool, connected: Bool)>(([], false, false))

        func append(_ message: String) { state.withLock { $0.messages.append(message) } }
        func finish() { state.withLock { $0.finished = true } }
        /// The client's side of the upgrade is done (its handler runs).
        func markConnected() { state.withLock { $0.connected = true } }
        var messages: [String] { state.withLock { $0.messages } }
        var isFinished: Bool { state.withLock { $0.finished } }
        var isConnected: Bool { state.withLock { $0.connected } }

        /// Waits until `count` messages have arrived.
        func wait(count: Int, seconds: Double = 30) async throws -> [String] {
            try await PaperVenueHarness.withTimeout(seconds, "\(count) messages") {
                while self.messages.count < count { try await Task.sleep(for: .milliseconds(5)) }
                return Array(self.messages.prefix(count))
            }
        }

        /// Waits for the first message satisfying `predicate` (parsed as JSON object).
        func first(
            _ what: String, seconds: Double = 30, where predicate: @escaping @Sendable ([String: Any]) -> Bool
        ) async throws -> [String: Any] {
            let text = try await PaperVenueHarness.withTimeout(seconds, what) {
                while true {
                    for message in self.messages {
                        if let object = PaperVenueHarness.object(message), predicate(object) { return message }
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            return PaperVenueHarness.object(text)!
        }
    }

    static func object(_ text: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }
}
