import Synchronization

/// Fans the replayed tapes out to every market-data WebSocket and keeps each symbol's recent past for REST backfill.
///
/// Each symbol is one stream, `<symbol>@aggTrade`; a client may hold any of them, so a combined connection gets
/// every subscribed symbol's trades in the order the merged replay publishes them (trade time).
///
/// Each client gets its own bounded buffer; a client that falls that far behind is disconnected (Binance does the
/// same) rather than allowed to grow the venue's memory. It then reconnects and backfills the gap over REST.
final class MarketFeed: Sendable {
    private struct Subscriber {
        var streams: Set<String>
        var combined: Bool
        let continuation: AsyncStream<String>.Continuation
    }

    private struct State {
        /// Per symbol: its aggregate ids are its own, consecutive, as Binance numbers each symbol's trades.
        var histories: [String: TradeHistory]
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriberID = 0
        var hadSubscriber = false
    }

    /// A symbol's one stream.
    private struct Stream {
        /// Lower case, as Binance matches names: `btcusdt@aggtrade`.
        let key: String
        /// As clients write it: `btcusdt@aggTrade`.
        let name: String
    }

    /// The traded symbols, upper case.
    let symbols: [String]
    private let streams: [String: Stream]
    private let bufferCapacity: Int
    private let state: Mutex<State>

    init(symbols: [String], historyCapacity: Int, bufferCapacity: Int) {
        self.symbols = symbols
        self.streams = Dictionary(
            uniqueKeysWithValues: symbols.map { symbol in
                let name = symbol.lowercased() + "@aggTrade"
                return (symbol, Stream(key: name.lowercased(), name: name))
            })
        self.bufferCapacity = bufferCapacity
        self.state = Mutex(
            State(
                histories: Dictionary(
                    uniqueKeysWithValues: symbols.map { ($0, TradeHistory(capacity: historyCapacity)) })))
    }

    /// Registers a client; the stream ends when the client is dropped as too slow or the feed stops.
    func subscribe(streams: [String], combined: Bool) -> (id: Int, messages: AsyncStream<String>) {
        let (messages, continuation) = AsyncStream.makeStream(
            of: String.self, bufferingPolicy: .bufferingOldest(bufferCapacity))
        let id = state.withLock { state in
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = Subscriber(
                streams: Set(streams.map { $0.lowercased() }), combined: combined, continuation: continuation)
            // A bare connection that subscribes later does not start the tape until it does.
            if !streams.isEmpty { state.hadSubscriber = true }
            return id
        }
        return (id, messages)
    }

    /// Live `SUBSCRIBE` / `UNSUBSCRIBE`; returns the client's streams afterwards.
    @discardableResult
    /// - Parameter reply: the answer to the request, given the streams afterwards; it is queued on the client's
    ///   connection before any trade of a newly subscribed stream, so the answer always comes first.
    func change(
        subscriber id: Int, subscribe: [String] = [], unsubscribe: [String] = [],
        reply: (([String]) -> String)? = nil
    ) -> [String] {
        state.withLock { state in
            guard var subscriber = state.subscribers[id] else { return [] }
            subscriber.streams.formUnion(subscribe.map { $0.lowercased() })
            subscriber.streams.subtract(unsubscribe.map { $0.lowercased() })
            if let reply { subscriber.continuation.yield(reply(subscriber.streams.sorted())) }
            state.subscribers[id] = subscriber
            if !subscriber.streams.isEmpty { state.hadSubscriber = true }
            return subscriber.streams.sorted()
        }
    }

    func unsubscribe(_ id: Int) {
        let subscriber = state.withLock { $0.subscribers.removeValue(forKey: id) }
        subscriber?.continuation.finish()
    }

    /// Records the trade of `symbol` and sends it to every client subscribed to that symbol's aggTrade stream.
    func publish(_ trade: ReplayedTrade, symbol: String) {
        guard let stream = streams[symbol] else { return }
        let payload = trade.streamPayload(symbol: symbol)
        var combinedPayload: String?
        let dropped: [Subscriber] = state.withLock { state in
            state.histories[symbol]?.append(trade)
            var slow: [Int] = []
            for (id, subscriber) in state.subscribers where subscriber.streams.contains(stream.key) {
                let message: String
                if subscriber.combined {
                    if combinedPayload == nil {
                        combinedPayload = #"{"stream":"\#(stream.name)","data":\#(payload)}"#
                    }
                    message = combinedPayload!
                } else {
                    message = payload
                }
                if case .dropped = subscriber.continuation.yield(message) { slow.append(id) }
            }
            return slow.compactMap { state.subscribers.removeValue(forKey: $0) }
        }
        for subscriber in dropped { subscriber.continuation.finish() }
    }

    /// Ends every client stream (venue shutdown).
    func finishAll() {
        let all = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }

    /// Suspends until a client has subscribed to a stream at least once.
    func waitForFirstSubscriber() async throws {
        // Polling keeps this trivially cancellation-safe; it runs once, before the replay starts.
        while !state.withLock({ $0.hadSubscriber }) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// `GET /fapi/v1/aggTrades` for `symbol`: by id, by time window, or the latest.
    func history(symbol: String, fromID: Int64?, startTime: Int64?, endTime: Int64?, limit: Int) -> [ReplayedTrade] {
        state.withLock { state in
            guard let history = state.histories[symbol] else { return [] }
            if let fromID { return history.trades(fromID: fromID, limit: limit) }
            if startTime != nil || endTime != nil {
                return history.trades(startTime: startTime, endTime: endTime, limit: limit)
            }
            return history.latest(limit: limit)
        }
    }
}
