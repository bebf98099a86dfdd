import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// Runs a Hummingbird app (HTTP routes and WebSocket upgrades from one router) on 127.0.0.1 with a free port for
/// the duration of `body`, then shuts it down gracefully.
///
/// Gracefully, not by cancellation: a cancelled server waits for its connections, and an idle keep-alive connection
/// (the REST clients' pools, `HTTPClient.shared` in other tests) may stay open on the client's side for minutes,
/// which once stalled a test for ten. A graceful shutdown closes idle connections at once.
/// With `tls`, it serves HTTPS and WSS.
func withLoopbackServer<Result: Sendable>(
    _ router: Router<BasicWebSocketRequestContext>,
    webSocket: WebSocketServerConfiguration = .init(),
    tls: TLSConfiguration? = nil,
    _ body: @Sendable (Int) async throws -> Result
) async throws -> Result {
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "fake-venue")
    logger.logLevel = ProcessInfo.processInfo.environment["REFLEX_TEST_LOG"] == nil ? .critical : .debug  // TEMP
    let plain = HTTPServerBuilder.http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(ws: webSocket))
    let app = Application(
        router: router,
        server: try tls.map { try .tls(plain, tlsConfiguration: $0) } ?? plain,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
        logger: logger
    )
    var configuration = ServiceGroupConfiguration(services: [app], logger: logger)
    configuration.maximumGracefulShutdownDuration = .seconds(10)  // then it is cancelled after all
    let services = ServiceGroup(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await body(port))
        } catch {
            outcome = .failure(error)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try outcome.get()
    }
}

/// Runs `service` while `body` runs, then cancels it.
func whileRunning<Result: Sendable>(
    _ service: some Service, _ body: @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await service.run() }
        defer { group.cancelAll() }
        return try await body()
    }
}

/// Fails the test instead of hanging when a condition never comes true. The limit only matters when it does not:
/// keep it generous, a loaded 2-core CI machine running the suite in parallel can be many times slower.
func withTimeout<Result: Sendable>(
    _ limit: Duration = .seconds(30), _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

struct TimeoutError: Error {}

/// A quiet logger for clients under test (set REFLEX_TEST_LOG=1 to see everything).
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["REFLEX_TEST_LOG"] == nil ? .critical : .debug
    return logger
}

/// A lock-protected value the fake servers and tests share.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
    var current: Value { value.withLock { $0 } }
}

extension Duration {
    /// The duration in whole milliseconds.
    var wholeMilliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}
