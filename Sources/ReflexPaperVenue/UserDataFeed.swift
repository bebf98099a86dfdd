import Synchronization

/// The user data stream: listenKeys (A11) and the private WebSockets that receive account events.
///
/// There is one paper account, so every active listenKey sees every event. A key lives `validity` after its
/// creation or last keepalive; when it lapses its connections get `listenKeyExpired` and nothing more.
final class UserDataFeed: Sendable {
    private struct Subscriber {
        let listenKey: String
        let continuation: AsyncStream<String>.Continuation
    }

    private struct State {
        var expiries: [String: ContinuousClock.Instant] = [:]
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriberID = 0
    }

    private let validity: Duration
    private let bufferCapacity: Int
    private let state = Mutex(State())

    init(validity: Duration, bufferCapacity: Int) {
        self.validity = validity
        self.bufferCapacity = bufferCapacity
    }

    /// `POST /fapi/v1/listenKey`: the active key, extended, or a new one.
    func createListenKey() -> String {
        let now = ContinuousClock.now
        return state.withLock { state in
            if let active = state.expiries.first(where: { $0.value > now })?.key {
                state.expiries[active] = now + validity
                return active
            }
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            let key = String((0..<64).map { _ in alphabet.randomElement()! })
            state.expiries[key] = now + validity
            return key
        }
    }

    /// `PUT /fapi/v1/listenKey`; nil when the key is unknown or lapsed (`-1125`). Without a key, the active one.
    func keepAlive(_ key: String?) -> String? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let key = key ?? state.expiries.first(where: { $0.value > now })?.key,
                let expiry = state.expiries[key], expiry > now
            else { return nil }
            state.expiries[key] = now + validity
            return key
        }
    }

    /// Private connections attached now (tests wait on it: a client that has connected may not be attached yet).
    var connectionCount: Int { state.withLock { $0.subscribers.count } }

    /// True while `key` is active (no side effect: connecting does not extend a key).
    func isActive(_ key: String) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in state.expiries[key].map { $0 > now } ?? false }
    }

    /// `DELETE /fapi/v1/listenKey`: the key stops; its connections close.
    func delete(_ key: String?) {
        let closing: [Subscriber] = state.withLock { state in
            let keys = key.map { [$0] } ?? Array(state.expiries.keys)
            var closing: [Subscriber] = []
            for key in keys {
                state.expiries[key] = nil
                for (id, subscriber) in state.subscribers where subscriber.listenKey == key {
                    closing.append(subscriber)
                    state.subscribers[id] = nil
                }
            }
            return closing
        }
        for subscriber in closing { subscriber.continuation.finish() }
    }

    /// Opens a private stream; nil if the key is not active.
    func subscribe(listenKey: String) -> (id: Int, messages: AsyncStream<String>)? {
        let now = ContinuousClock.now
        let (messages, continuation) = AsyncStream.makeStream(
            of: String.self, bufferingPolicy: .bufferingOldest(bufferCapacity))
        let id: Int? = state.withLock { state in
            guard let expiry = state.expiries[listenKey], expiry > now else { return nil }
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = Subscriber(listenKey: listenKey, continuation: continuation)
            return id
        }
        guard let id else { return nil }
        return (id, messages)
    }

    func unsubscribe(_ id: Int) {
        let subscriber = state.withLock { $0.subscribers.removeValue(forKey: id) }
        subscriber?.continuation.finish()
    }

    /// Sends one event to every connection of an active key.
    func publish(_ event: String) {
        let now = ContinuousClock.now
        let slow: [Subscriber] = state.withLock { state in
            var slow: [Int] = []
            for (id, subscriber) in state.subscribers {
                guard let expiry = state.expiries[subscriber.listenKey], expiry > now else { continue }
                if case .dropped = subscriber.continuation.yield(event) { slow.append(id) }
            }
            return slow.compactMap { state.subscribers.removeValue(forKey: $0) }
        }
        for subscriber in slow { subscriber.continuation.finish() }
    }

    /// Sends `listenKeyExpired` for keys that lapsed and forgets them. Call about once a second.
    /// - Parameter eventTime: `E` of the event, in ms.
    func expireLapsedKeys(eventTime: Int64) {
        let now = ContinuousClock.now
        state.withLock { state in
            let lapsed = state.expiries.filter { $0.value <= now }.map(\.key)
            for key in lapsed {
                state.expiries[key] = nil
                let event = #"{"e":"listenKeyExpired","E":"\#(eventTime)","listenKey":"\#(key)"}"#
                for subscriber in state.subscribers.values where subscriber.listenKey == key {
                    subscriber.continuation.yield(event)
                }
            }
        }
    }

    /// Ends every private stream (venue shutdown).
    func finishAll() {
        let all = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }
}
