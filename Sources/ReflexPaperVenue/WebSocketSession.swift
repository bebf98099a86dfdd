import HummingbirdWebSocket
import NIOWebSocket
import ServiceLifecycle
import Synchronization

/// Runs one server-side WebSocket connection: writes a feed's messages, answers the client's requests, and ends
/// the connection cleanly from either side.
///
/// Ending from the server side (feed finished, client too slow, injected drop, shutdown) sends the close frame
/// while the reader still runs, so the client's close reply completes the handshake at once instead of after a
/// timeout; a client that never replies is cut off after `closeGrace`.
enum WebSocketSession {
    private enum Role: Sendable {
        case writer, reader, timer, watchdog
    }

    private final class ClosingFlag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    /// - Parameters:
    ///   - messages: what to send; the connection ends when it finishes.
    ///   - endMessages: finishes `messages` (unsubscribes) when the connection ends for another reason.
    ///   - dropAfter: fault injection: end the connection after this long.
    ///   - reply: the answer to a text message from the client, if any.
    static func run(
        messages: AsyncStream<String>, endMessages: @escaping @Sendable () -> Void, inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter, dropAfter: Duration? = nil, closeGrace: Duration = .seconds(2),
        reply: @escaping @Sendable (String) -> String? = { _ in nil }
    ) async {
        let closing = ClosingFlag()
        await withTaskGroup(of: Role.self) { group in
            group.addTask {
                do {
                    for await message in messages.cancelOnGracefulShutdown() {
                        try await outbound.write(.text(message))
                    }
                } catch {}
                return .writer
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        guard case .text(let text) = message, let answer = reply(text) else { continue }
                        try await outbound.write(.text(answer))
                    }
                } catch {}
                return .reader
            }
            if let dropAfter {
                group.addTask {
                    // Polls a flag rather than sleeping the whole span, so it ends promptly with the connection.
                    let deadline = ContinuousClock.now + dropAfter
                    while ContinuousClock.now < deadline && !closing.isSet {
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                    return .timer
                }
            }
            let first = await group.next()
            closing.set()
            endMessages()
            if first != .reader {
                try? await outbound.close(.goingAway, reason: nil)
                group.addTask {
                    try? await Task.sleep(for: closeGrace)
                    return .watchdog
                }
                while let role = await group.next(), role != .reader && role != .watchdog {}
            }
            group.cancelAll()
        }
    }
}
