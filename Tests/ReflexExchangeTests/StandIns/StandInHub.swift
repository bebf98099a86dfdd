import Foundation
import HummingbirdWebSocket
import Synchronization

/// The WebSocket connections of a stand-in venue: answers each client message through a callback and lets the test
/// push messages to chosen connections (by tag: `publicTrade.BTCUSDT`, `authenticated`, …) or drop them all.
final class StandInHub: Sendable {
    private struct Connection {
        let continuation: AsyncStream<String>.Continuation
        var tags: Set<String> = []
    }

    private let connections = Mutex<[Int: Connection]>([:])
    private let opened = Mutex(0)

    /// Connections accepted so far.
    var connectionCount: Int { opened.withLock { $0 } }

    /// Serves one connection until the client leaves or `dropAll()` is called.
    /// - Parameter reply: called with the connection number and each text message; returns messages to send back.
    func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
        reply: @escaping @Sendable (Int, String) -> [String]
    ) async throws {
        let (queue, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        let id = opened.withLock { count in
            count += 1
            return count
        }
        connections.withLock { $0[id] = Connection(continuation: continuation) }
        defer { _ = connections.withLock { $0.removeValue(forKey: id) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in queue { try await outbound.write(.text(text)) }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    for answer in reply(id, text) { continuation.yield(answer) }
                }
                continuation.finish()
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Marks connection `id` (e.g. subscribed to a topic).
    func tag(_ id: Int, _ tag: String) {
        _ = connections.withLock { $0[id]?.tags.insert(tag) }
    }

    /// True when connection `id` carries `tag`.
    func has(_ id: Int, _ tag: String) -> Bool {
        connections.withLock { $0[id]?.tags.contains(tag) ?? false }
    }

    /// Sends `text` to every connection tagged `tag`; returns how many got it.
    @discardableResult
    func push(_ text: String, to tag: String) -> Int {
        let targets = connections.withLock { $0.values.filter { $0.tags.contains(tag) }.map(\.continuation) }
        for target in targets { target.yield(text) }
        return targets.count
    }

    /// Sends `text` to connection `id`.
    func send(_ text: String, to id: Int) {
        _ = connections.withLock { $0[id]?.continuation.yield(text) }
    }

    /// Closes every connection (the clients should reconnect).
    func dropAll() {
        let all = connections.withLock { $0.values.map(\.continuation) }
        for continuation in all { continuation.finish() }
    }

    /// Waits until a connection numbered `connection` or later carries `tag` (the timeout only matters on failure).
    func waitFor(_ tag: String, connection: Int = 1, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !connections.withLock({ $0.contains { $0.key >= connection && $0.value.tags.contains(tag) } }) {
            guard ContinuousClock.now < deadline else { throw StandInTimeout(waitingFor: tag) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// A stand-in waited for something that never happened.
struct StandInTimeout: Error, CustomStringConvertible {
    var waitingFor: String
    var description: String { "timed out waiting for \(waitingFor)" }
}

/// Test fixtures of the venue adapters, read by path from `Tests/ReflexExchangeTests/<Venue>/Fixtures/`.
enum VenueFixture {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// The file as UTF-8 text, without trailing newlines.
    static func text(_ venue: String, _ name: String) throws -> String {
        let url = testsDirectory.appendingPathComponent(venue).appendingPathComponent("Fixtures")
            .appendingPathComponent(name)
        var text = try String(contentsOf: url, encoding: .utf8)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Milliseconds since the epoch now.
    static var now: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
