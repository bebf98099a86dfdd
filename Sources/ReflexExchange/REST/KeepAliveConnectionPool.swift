public import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL
import Synchronization

/// Keep-alive HTTP/1.1 connections to one REST host, all on one event loop, one request at a time on each.
///
/// Built for the order path. When the caller already runs on the pool's event loop (in `reflex run` NIO's single
/// loop is Swift's executor, so every task does), `execute` writes the request into an idle connection's socket
/// before it first suspends: an order leaves in the same turn of the loop as the trade that caused it.
/// AsyncHTTPClient first passes each request through its pool's state machine and scheduled tasks, which cost
/// about 135 µs per order on loopback. Connections open on demand, up to `maximumConnections`; beyond that,
/// requests wait their turn in arrival order.
public final class KeepAliveConnectionPool: RESTTransport {
    /// Scheme, host and port (`https://fapi.binance.com`).
    public let baseURL: String
    private let endpoint: Result<Endpoint, TransportError>
    private let eventLoop: any EventLoop
    private let maximumConnections: Int
    private let maximumResponseBytes: Int
    private let connectTimeout: TimeAmount
    private let state = Mutex(State())

    struct Endpoint: Sendable {
        var address: ServerAddress
        var tls: NIOSSLContext?
    }

    private struct Exchange: Sendable {
        let id: Int
        let request: RESTRequest
        let promise: EventLoopPromise<RESTResponse>
        let deadline: Scheduled<Void>
    }

    private struct State {
        var nextID = 0
        /// Connected and free, most recently used last (reused first: its socket is the warmest).
        var idle: [any Channel] = []
        /// Connections open or being opened.
        var open = 0
        var waiting: [Exchange] = []
        var inFlight: [ObjectIdentifier: (channel: any Channel, exchange: Exchange)] = [:]
        /// Set by ``shutdown()``: no new connection opens and requests fail.
        var closed = false
    }

    /// - Parameters:
    ///   - baseURL: `http://` or `https://`, host and optional port; a path is not allowed (requests carry theirs).
    ///   - eventLoop: where the connections live; default: the caller's loop if it runs on one, else one of NIO's
    ///     singleton group.
    ///   - maximumConnections: how many requests may be in flight at once (8).
    ///   - maximumResponseBytes: a larger response fails the request and closes its connection (16 MiB).
    ///   - connectTimeout: for opening a connection (5 s).
    ///   - tlsConfiguration: for `https` (default: the system's trust roots, full verification of the host name).
    public init(
        baseURL: String, eventLoop: (any EventLoop)? = nil, maximumConnections: Int = 8,
        maximumResponseBytes: Int = 16 << 20, connectTimeout: TimeAmount = .seconds(5),
        tlsConfiguration: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.baseURL = baseURL
        self.endpoint = Self.endpoint(baseURL, tlsConfiguration)
        self.eventLoop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        self.maximumConnections = max(1, maximumConnections)
        self.maximumResponseBytes = maximumResponseBytes
        self.connectTimeout = connectTimeout
    }

    deinit {
        let state = state.withLock { $0 }
        for channel in state.idle { channel.close(promise: nil) }
        for (channel, _) in state.inFlight.values { channel.close(promise: nil) }
    }

    /// Connections open or being opened (for tests and metrics).
    public var openConnections: Int { state.withLock { $0.open } }
    /// Requests written to a connection and not yet answered.
    var requestsInFlight: Int { state.withLock { $0.inFlight.count } }
    /// Requests waiting for a connection.
    var requestsWaiting: Int { state.withLock { $0.waiting.count } }

    public func execute(_ request: RESTRequest) async throws -> RESTResponse {
        let endpoint = try endpoint.get()
        let promise = eventLoop.makePromise(of: RESTResponse.self)
        if eventLoop.inEventLoop {
            start(request, promise, endpoint)
        } else {
            eventLoop.execute { self.start(request, promise, endpoint) }
        }
        return try await promise.futureResult.get()
    }

    /// Closes every connection and fails the requests still waiting or in flight; later requests fail at once.
    public func shutdown() {
        let (channels, exchanges) = state.withLock { state -> ([any Channel], [Exchange]) in
            state.closed = true
            defer {
                state.idle = []
                state.waiting = []
                state.inFlight = [:]
            }
            return (
                state.idle + state.inFlight.values.map(\.channel), state.waiting + state.inFlight.values.map(\.exchange)
            )
        }
        for exchange in exchanges {
            exchange.deadline.cancel()
            exchange.promise.fail(TransportError("\(baseURL): the connection pool was shut down"))
        }
        for channel in channels { channel.close(promise: nil) }
    }

    // Everything below runs on `eventLoop`.

    private func start(_ request: RESTRequest, _ promise: EventLoopPromise<RESTResponse>, _ endpoint: Endpoint) {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let deadline = eventLoop.scheduleTask(in: .nanoseconds(request.timeout.nanoseconds)) { [weak self] () -> Void in
            self?.expire(id, after: request.timeout)
        }
        let exchange = Exchange(id: id, request: request, promise: promise, deadline: deadline)
        enum Next {
            case send(any Channel)
            case connect
            case wait
        }
        let next = state.withLock { state -> Next? in
            guard !state.closed else { return nil }
            if let channel = state.idle.popLast() {
                state.inFlight[ObjectIdentifier(channel)] = (channel, exchange)
                return .send(channel)
            }
            state.waiting.append(exchange)
            guard state.open < maximumConnections else { return .wait }
            state.open += 1
            return .connect
        }
        switch next {
        case .send(let channel): write(request, on: channel, endpoint)
        case .connect: connect(endpoint)
        case .wait: break
        case nil:
            deadline.cancel()
            promise.fail(TransportError("\(baseURL): the connection pool was shut down"))
        }
    }

    private func write(_ request: RESTRequest, on channel: any Channel, _ endpoint: Endpoint) {
        var head = HTTPRequestHead(
            version: .http1_1, method: request.method, uri: request.target, headers: request.headers)
        head.headers.replaceOrAdd(name: "Host", value: endpoint.address.authority)
        if let body = request.body {
            head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        } else if request.method != .GET && request.method != .HEAD {
            head.headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body = request.body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    private func connect(_ endpoint: Endpoint) {
        let limit = maximumResponseBytes
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [weak self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls = endpoint.tls {
                        try sync.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: endpoint.address.serverName))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(
                        RESTResponseReader(
                            maximumBodyBytes: limit,
                            onResponse: { result in self?.answered(on: channel, result, endpoint) },
                            onClose: { self?.lost(channel, endpoint) }))
                }
            }
            .connect(host: endpoint.address.host, port: endpoint.address.port)
            .whenComplete { [weak self] result in
                guard let self else { return }
                switch result {
                case .success(let channel): self.ready(channel, endpoint)
                case .failure(let error): self.failedToConnect(error, endpoint)
                }
            }
    }

    /// A connection is free: it takes the longest-waiting request, or joins the idle ones.
    private func ready(_ channel: any Channel, _ endpoint: Endpoint) {
        let next = state.withLock { state -> Exchange?? in
            guard !state.closed else { return .none }
            guard !state.waiting.isEmpty else {
                state.idle.append(channel)
                return .some(nil)
            }
            let next = state.waiting.removeFirst()
            state.inFlight[ObjectIdentifier(channel)] = (channel, next)
            return next
        }
        switch next {
        case .none: channel.close(promise: nil)  // opened while shutting down
        case .some(nil): break
        case .some(let exchange?): write(exchange.request, on: channel, endpoint)
        }
    }

    private func answered(
        on channel: any Channel, _ result: Result<(RESTResponse, keepAlive: Bool), TransportError>,
        _ endpoint: Endpoint
    ) {
        let exchange = state.withLock { $0.inFlight.removeValue(forKey: ObjectIdentifier(channel))?.exchange }
        switch result {
        case .success(let (response, keepAlive)):
            exchange?.deadline.cancel()
            exchange?.promise.succeed(response)
            if keepAlive { ready(channel, endpoint) } else { channel.close(promise: nil) }
        case .failure(let error):
            exchange?.deadline.cancel()
            exchange?.promise.fail(TransportError("\(baseURL): \(error.description)"))
            channel.close(promise: nil)
        }
    }

    private func lost(_ channel: any Channel, _ endpoint: Endpoint) {
        let (exchange, reconnect) = state.withLock { state -> (Exchange?, Bool) in
            state.open -= 1
            state.idle.removeAll { $0 === channel }
            let exchange = state.inFlight.removeValue(forKey: ObjectIdentifier(channel))?.exchange
            guard !state.closed, !state.waiting.isEmpty, state.open < maximumConnections else {
                return (exchange, false)
            }
            state.open += 1
            return (exchange, true)
        }
        if let exchange {
            exchange.deadline.cancel()
            exchange.promise.fail(TransportError("\(baseURL): connection closed before the response"))
        }
        if reconnect { connect(endpoint) }
    }

    private func failedToConnect(_ error: any Error, _ endpoint: Endpoint) {
        // Waiting requests stay queued while another connection is open to serve them; with none, they fail.
        let failed = state.withLock { state -> [Exchange] in
            state.open -= 1
            guard state.open == 0 else { return [] }
            defer { state.waiting = [] }
            return state.waiting
        }
        for exchange in failed {
            exchange.deadline.cancel()
            exchange.promise.fail(TransportError("\(baseURL): cannot connect: \(error)"))
        }
    }

    private func expire(_ id: Int, after timeout: Duration) {
        let (exchange, channel) = state.withLock { state -> (Exchange?, (any Channel)?) in
            if let index = state.waiting.firstIndex(where: { $0.id == id }) {
                return (state.waiting.remove(at: index), nil)
            }
            guard let (key, entry) = state.inFlight.first(where: { $0.value.exchange.id == id }) else {
                return (nil, nil)
            }
            state.inFlight.removeValue(forKey: key)
            return (entry.exchange, entry.channel)
        }
        // A response that arrives after the deadline must not be read as the next request's, so the connection goes.
        channel?.close(promise: nil)
        exchange?.promise.fail(TransportError("\(baseURL): no response within \(timeout)"))
    }

    private static func endpoint(
        _ baseURL: String, _ tlsConfiguration: TLSConfiguration
    ) -> Result<Endpoint, TransportError> {
        let address: ServerAddress
        do {
            address = try ServerAddress(baseURL, schemes: ("http", "https"))
        } catch {
            return .failure(TransportError("REST URL \(error)"))
        }
        guard address.target == "/" else {
            return .failure(TransportError("REST URL \"\(baseURL)\": expected scheme, host and port only"))
        }
        var tls: NIOSSLContext?
        if address.secure {
            do {
                tls = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                return .failure(TransportError("TLS for \(baseURL): \(error)"))
            }
        }
        return .success(Endpoint(address: address, tls: tls))
    }
}

extension Duration {
    /// Whole nanoseconds (saturating far beyond any timeout in use).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
