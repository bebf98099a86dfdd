public import Logging
public import ReflexCore
public import ServiceLifecycle
import Synchronization

/// One JSON-RPC 2.0 connection to Deribit that everything shares (spec C): market tapes, the account feed and
/// order requests.
///
/// On every (re)connection it runs the same chain, driven by the answers as they arrive: `public/auth`
/// (client credentials) → `public/get_instrument` for each instrument (to learn its quantity unit) →
/// `public/set_heartbeat`, `public/subscribe` to `trades.{instrument}.raw` and `private/subscribe` to
/// `user.orders/user.trades/user.changes.{instrument}.raw`. Deribit's `test_request` heartbeats are answered with
/// `public/test`. Requests that are waiting when the connection drops fail with a transport error, so an order
/// whose fate is unknown is looked up, never silently resent.
///
/// Run it as a `Service` — directly, or through the market and account streams made from it, whose `run()` drives
/// the session once however many of them run.
public final class DeribitSession: Service, Sendable {
    /// Where the session connects.
    public let urls: DeribitURLs
    /// Counters for metrics and tests.
    public var statistics: DeribitSessionStatistics { state.withLock { $0.statistics } }
    let configuration: DeribitSessionConfiguration
    private let wallClock: @Sendable () -> Int64
    private let credentials: DeribitCredentials?
    private let logger: Logger
    private let socket: ResilientWebSocket
    private let state: Mutex<State>
    private let accountEvents: AsyncStream<EngineEvent>
    private let accountContinuation: AsyncStream<EngineEvent>.Continuation

    private enum InternalRequest {
        case auth, instrument(String), heartbeat, subscribe, test
    }

    private struct State {
        var nextID: Int64 = 1
        var pending: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Calls with an id that have not registered their continuation yet; a call cancelled in that window is
        /// taken out, so it cancels itself on registering (and nothing is left behind once answered).
        var allocated: Set<Int64> = []
        var internalRequests: [Int64: InternalRequest] = [:]
        var connected = false
        var authenticated = false
        var awaitingInstruments: Set<String> = []
        var instrumentNames: [String] = []
        var instruments: [String: DeribitInstrument] = [:]
        var tapes: [String: DeribitTape] = [:]
        var accountInstruments: [String] = []
        /// Client id → Deribit order id, for `private/cancel`.
        var orderIDs: [String: String] = [:]
        var driving = false
        var finished = false
        var statistics = DeribitSessionStatistics()
    }

    /// - Parameters:
    ///   - urls: mainnet, testnet or `.local(port:)`.
    ///   - credentials: client id and secret (nil: public data only, at the `100ms` interval).
    ///   - instruments: known instruments (units); others are fetched with `public/get_instrument`.
    ///   - configuration: heartbeat, timeouts and socket settings.
    ///   - wallClock: milliseconds since the epoch (the `client_signature` timestamp).
    ///   - logger: connection, auth and malformed-message events are logged here.
    public init(
        urls: DeribitURLs, credentials: DeribitCredentials?, instruments: [DeribitInstrument] = [],
        configuration: DeribitSessionConfiguration = .init(),
        wallClock: @escaping @Sendable () -> Int64 = BybitRESTConfiguration.systemMilliseconds, logger: Logger
    ) {
        self.wallClock = wallClock
        self.urls = urls
        self.credentials = credentials
        self.configuration = configuration
        self.logger = logger
        self.socket = ResilientWebSocket(url: urls.webSocket, configuration: configuration.socket, logger: logger)
        var initial = State()
        for instrument in instruments { initial.instruments[instrument.name] = instrument }
        self.state = Mutex(initial)
        (accountEvents, accountContinuation) = AsyncStream.makeStream(of: EngineEvent.self, bufferingPolicy: .unbounded)
    }

    // MARK: Registration (before `run()`)

    /// The tape of `instrument`, subscribed on every connection.
    func tape(for instrument: String) -> DeribitTape {
        state.withLock { state in
            if let tape = state.tapes[instrument] { return tape }
            let tape = DeribitTape(instrument: instrument)
            state.tapes[instrument] = tape
            if !state.instrumentNames.contains(instrument) { state.instrumentNames.append(instrument) }
            return tape
        }
    }

    /// The account events of `instruments`, subscribed on every connection.
    func account(for instruments: [String]) -> AsyncStream<EngineEvent> {
        state.withLock { state in
            for name in instruments where !state.accountInstruments.contains(name) {
                state.accountInstruments.append(name)
                if !state.instrumentNames.contains(name) { state.instrumentNames.append(name) }
            }
        }
        return accountEvents
    }

    // MARK: Requests

    /// Sends `method` and waits for its result.
    /// - Parameter requiresAuth: private methods wait (up to the request timeout) for authentication first.
    /// - Throws: `ExchangeError` with Deribit's code for a JSON-RPC error; `.transport` when not connected, when the
    ///   connection drops, or on timeout (the request may have executed).
    public func call(_ method: String, _ params: [(String, String)], requiresAuth: Bool = false) async throws
        -> JSONValue
    {
        let deadline = ContinuousClock.now + configuration.requestTimeout
        while !state.withLock({ requiresAuth ? $0.authenticated : $0.connected }) {
            guard ContinuousClock.now < deadline else {
                throw ExchangeError(
                    code: ExchangeError.transport,
                    message: "\(method): not \(requiresAuth ? "authenticated" : "connected") to Deribit")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.allocated.insert(state.nextID)
            return state.nextID
        }
        let text = DeribitRPC.request(id: id, method: method, params: params)
        return try await withThrowingTaskGroup(of: JSONValue.self) { group in
            group.addTask {
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation {
                        (continuation: CheckedContinuation<JSONValue, any Error>) in
                        let cancelled = self.state.withLock { state in
                            guard state.allocated.remove(id) != nil else { return true }
                            state.pending[id] = continuation
                            return false
                        }
                        if cancelled {
                            continuation.resume(throwing: CancellationError())
                        } else {
                            self.socket.send(text)
                        }
                    }
                } onCancel: {
                    let continuation = self.state.withLock { state in
                        state.allocated.remove(id)
                        return state.pending.removeValue(forKey: id)
                    }
                    continuation?.resume(throwing: CancellationError())
                }
            }
            group.addTask {
                try await Task.sleep(for: self.configuration.requestTimeout)
                throw ExchangeError(code: ExchangeError.transport, message: "\(method): no answer within the timeout")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// The instrument's unit and grid, from the cache or `public/get_instrument`.
    public func instrument(named name: String) async throws -> DeribitInstrument {
        if let known = state.withLock({ $0.instruments[name] }) { return known }
        let result = try await call("public/get_instrument", [("instrument_name", WireJSON.quoted(name))])
        let instrument: DeribitInstrument
        do {
            instrument = try DeribitParse.instrument(result)
        } catch {
            throw ExchangeError(code: ExchangeError.malformedResponse, message: "public/get_instrument: \(error)")
        }
        state.withLock { $0.instruments[name] = instrument }
        return instrument
    }

    /// The Deribit order id of a client id, as last seen.
    func orderID(for clientOrderID: ClientOrderID) -> String? {
        state.withLock { $0.orderIDs[clientOrderID.rawValue] }
    }

    func remember(orderID: String, for clientOrderID: ClientOrderID) {
        state.withLock { $0.orderIDs[clientOrderID.rawValue] = orderID }
    }

    // MARK: Running

    /// Connects and serves until cancelled or the group shuts down. A second concurrent `run()` (one per stream)
    /// does not open a second connection: it waits until the first ends.
    public func run() async throws {
        let drives = state.withLock { state in
            defer { state.driving = true }
            return !state.driving
        }
        guard drives else {
            while !Task.isCancelled && !Task.isShuttingDownGracefully && !state.withLock({ $0.finished }) {
                try? await Task.sleep(for: .milliseconds(50))
            }
            return
        }
        let tapes = state.withLock { Array($0.tapes.values) }
        defer {
            let pending = state.withLock { state in
                state.finished = true
                defer { state.pending = [:] }
                return Array(state.pending.values)
            }
            for continuation in pending {
                continuation.resume(throwing: ExchangeError(code: ExchangeError.transport, message: "session stopped"))
            }
            for tape in tapes { tape.finish() }
            accountContinuation.finish()
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.socket.run() }
            for tape in tapes {
                let name = tape.instrument
                group.addTask {
                    await tape.process(
                        unit: { self.state.withLock { $0.instruments[name] } },
                        backfill: { range in try await self.lastTrades(name, range) })
                }
            }
            for await event in socket.events {
                switch event {
                case .connected: connected()
                case .message(let text): handle(text)
                case .disconnected(_, let reason): disconnected(reason)
                }
            }
            for tape in tapes { tape.finish() }
            group.cancelAll()
        }
    }

    private func lastTrades(_ instrument: String, _ range: ClosedRange<Int64>) async throws -> [DeribitTrade] {
        let result = try await call(
            "public/get_last_trades_by_instrument",
            [
                ("instrument_name", WireJSON.quoted(instrument)), ("start_seq", String(range.lowerBound)),
                ("end_seq", String(range.upperBound)), ("count", String(configuration.backfillPageSize)),
            ])
        return try DeribitParse.trades(try WireObject(result, context: "result")["trades"] ?? .array([]))
    }

    private func send(_ method: String, _ params: [(String, String)], purpose: InternalRequest) {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.internalRequests[state.nextID] = purpose
            return state.nextID
        }
        socket.send(DeribitRPC.request(id: id, method: method, params: params))
    }

    private func connected() {
        let connections = state.withLock { state in
            state.connected = true
            state.authenticated = false
            state.statistics.connections += 1
            return state.statistics.connections
        }
        if connections > 1 && credentials != nil {
            // Private events may have been missed while the socket was down: the engine reads the venue.
            accountContinuation.yield(
                .control(
                    ControlCommand(
                        action: .reconcile, source: "account stream reconnect", time: .milliseconds(wallClock()))))
        }
        if let credentials {
            let nonce = String(UInt64.random(in: 0..<UInt64.max), radix: 36)
            send("public/auth", credentials.authParams(timestamp: wallClock(), nonce: nonce), purpose: .auth)
        } else {
            loadInstruments()
        }
    }

    private func disconnected(_ reason: WebSocketDisconnectReason) {
        let pending = state.withLock { state in
            state.connected = false
            state.authenticated = false
            state.internalRequests = [:]
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for continuation in pending {
            continuation.resume(
                throwing: ExchangeError(code: ExchangeError.transport, message: "Deribit connection lost: \(reason)"))
        }
    }

    /// Asks for every instrument whose unit is not known yet, then subscribes.
    private func loadInstruments() {
        let missing = state.withLock { state in
            let missing = state.instrumentNames.filter { state.instruments[$0] == nil }
            state.awaitingInstruments = Set(missing)
            return missing
        }
        for name in missing {
            send("public/get_instrument", [("instrument_name", WireJSON.quoted(name))], purpose: .instrument(name))
        }
        if missing.isEmpty { subscribe() }
    }

    private func subscribe() {
        let (tapes, account, authenticated) = state.withLock { state in
            (state.instrumentNames.filter { state.tapes[$0] != nil }, state.accountInstruments, state.authenticated)
        }
        send("public/set_heartbeat", [("interval", String(configuration.heartbeatSeconds))], purpose: .heartbeat)
        // `raw` needs an authenticated connection; without credentials the public tape comes at 100 ms.
        let interval = authenticated ? "raw" : "100ms"
        if !tapes.isEmpty {
            let channels = tapes.map { "trades.\($0).\(interval)" }
            send("public/subscribe", [("channels", DeribitRPC.strings(channels))], purpose: .subscribe)
        }
        if authenticated && !account.isEmpty {
            let channels = account.flatMap {
                ["user.orders.\($0).raw", "user.trades.\($0).raw", "user.changes.\($0).raw"]
            }
            send("private/subscribe", [("channels", DeribitRPC.strings(channels))], purpose: .subscribe)
        }
    }

    private func handle(_ text: String) {
        switch DeribitParse.message(text) {
        case .result(let id, let result):
            if let continuation = state.withLock({ $0.pending.removeValue(forKey: id) }) {
                continuation.resume(returning: result)
            } else if let purpose = state.withLock({ $0.internalRequests.removeValue(forKey: id) }) {
                answered(purpose, result: result)
            }
        case .error(let id, let code, let message):
            let error = ExchangeError(code: code, message: message)
            if let id, let continuation = state.withLock({ $0.pending.removeValue(forKey: id) }) {
                continuation.resume(throwing: error)
            } else if let id, let purpose = state.withLock({ $0.internalRequests.removeValue(forKey: id) }) {
                failed(purpose, error: error)
            } else {
                logger.warning(
                    "deribit error without a request", metadata: ["code": "\(code)", "message": "\(message)"])
            }
        case .notification(let channel, let data):
            notification(channel, data)
        case .heartbeat(let type):
            state.withLock { $0.statistics.heartbeats += 1 }
            if type == "test_request" { send("public/test", [], purpose: .test) }
        case .malformed(let reason):
            malformed(reason, text)
        }
    }

    private func answered(_ purpose: InternalRequest, result: JSONValue) {
        switch purpose {
        case .auth:
            state.withLock { state in
                state.authenticated = true
                state.statistics.authentications += 1
            }
            logger.info("deribit authenticated")
            loadInstruments()
        case .instrument(let name):
            do {
                let instrument = try DeribitParse.instrument(result)
                let done = state.withLock { state in
                    state.instruments[name] = instrument
                    state.awaitingInstruments.remove(name)
                    return state.awaitingInstruments.isEmpty
                }
                if done { subscribe() }
            } catch {
                logger.error("deribit instrument unreadable", metadata: ["instrument": "\(name)", "error": "\(error)"])
            }
        case .heartbeat, .subscribe, .test:
            break
        }
    }

    private func failed(_ purpose: InternalRequest, error: ExchangeError) {
        switch purpose {
        case .auth:
            // Bad credentials do not fix themselves; reconnecting at once would only hammer the venue.
            state.withLock { $0.statistics.authenticationFailures += 1 }
            logger.critical("deribit auth refused", metadata: ["error": "\(error)"])
        case .instrument(let name):
            logger.error("deribit instrument unknown", metadata: ["instrument": "\(name)", "error": "\(error)"])
        case .heartbeat, .subscribe, .test:
            logger.error("deribit request refused", metadata: ["error": "\(error)"])
        }
    }

    private func notification(_ channel: String, _ data: JSONValue) {
        guard let name = DeribitParse.instrument(ofChannel: channel) else {
            malformed("channel \(channel) names no instrument", channel)
            return
        }
        let (tape, instrument) = state.withLock { ($0.tapes[name], $0.instruments[name]) }
        do {
            if channel.hasPrefix("trades.") {
                guard let tape else { return }
                tape.receive(try DeribitParse.trades(data))
                return
            }
            guard let instrument else {
                // Subscriptions are sent only once every instrument is known, so this is a venue surprise.
                malformed("\(channel): instrument \(name) not loaded", channel)
                return
            }
            var events: [EngineEvent] = []
            if channel.hasPrefix("user.orders.") {
                let order = try DeribitParse.order(data)
                if !order.label.isEmpty {
                    state.withLock { $0.orderIDs[order.label] = order.orderID }
                }
                events = DeribitParse.orderEvents(order)
            } else if channel.hasPrefix("user.trades.") {
                for trade in try DeribitParse.trades(data) {
                    events += DeribitParse.fillEvents(trade, instrument: instrument)
                }
            } else if channel.hasPrefix("user.changes.") {
                events = try DeribitParse.changes(data, instrument: instrument, time: Self.latestTime(data))
            } else {
                return
            }
            state.withLock { $0.statistics.accountEvents += events.count }
            for event in events { accountContinuation.yield(event) }
        } catch {
            if channel.hasPrefix("trades.") { tape?.countMalformed() }
            malformed("\(channel): \(error)", channel)
        }
    }

    /// `user.changes` carries no timestamp of its own: take the newest of its trades and orders.
    private static func latestTime(_ data: JSONValue) -> Timestamp {
        guard let object = try? WireObject(data) else { return .milliseconds(0) }
        var latest: Int64 = 0
        for key in ["trades", "orders"] {
            for item in (try? object.objects(key)) ?? [] {
                for field in ["timestamp", "last_update_timestamp"] {
                    if let value = try? item.int64(field) { latest = max(latest, value) }
                }
            }
        }
        return .milliseconds(latest)
    }

    private func malformed(_ reason: String, _ text: String) {
        state.withLock { $0.statistics.malformed += 1 }
        logger.warning(
            "malformed deribit message", metadata: ["reason": "\(reason)", "raw": "\(BybitRESTClient.truncated(text))"])
    }
}
