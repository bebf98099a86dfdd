public import ReflexCore

/// Keeps Bybit's trade tape gap-free and duplicate-free, by time and trade id (pure: no I/O, no clock).
///
/// Bybit trade ids are UUIDs, so a gap cannot be seen in the ids. After a reconnect the gap is the time between
/// the last delivered trade and the first live one; `backfill(_:before:)` fills it from
/// `/v5/market/recent-trade`. Trades are de-duplicated by their id *string* over a bounded window of recent ids
/// (the `Int64` tick id is only a hash), and a trade older than the last delivered one is never delivered, so the
/// engine sees time move forward only.
public struct BybitTapeSequencer: Sendable {
    /// Time of the last delivered trade.
    public private(set) var lastTime: Timestamp?
    private var seen: Set<String> = []
    private var recent: [String] = []
    private var oldest = 0
    private let memory: Int

    /// - Parameter memory: how many recent trade ids are remembered for de-duplication (more than one backfill).
    public init(memory: Int = 4096) {
        self.memory = max(memory, 1)
    }

    /// What to do with one trade.
    public enum Admission: Hashable, Sendable {
        case deliver
        /// Its id was delivered already.
        case duplicate
        /// Older than the last delivered trade: delivering it would move time backwards.
        case stale
    }

    /// Decides on `trade` and, when it is to be delivered, records it.
    public mutating func admit(_ trade: BybitTrade) -> Admission {
        if seen.contains(trade.id) { return .duplicate }
        if let lastTime, trade.time < lastTime { return .stale }
        remember(trade.id)
        lastTime = trade.time
        return .deliver
    }

    /// The outcome of merging a REST page into the tape.
    public struct Backfill: Hashable, Sendable {
        /// Trades to deliver, oldest first, before the first live trade.
        public var trades: [BybitTrade]
        /// False when the page does not reach back to the last delivered trade: older trades are lost.
        public var complete: Bool
    }

    /// Admits the trades of `page` (oldest first) that fall between the last delivered trade and `firstLive`, the
    /// time of the first trade received after the reconnect.
    public mutating func backfill(_ page: [BybitTrade], before firstLive: Timestamp) -> Backfill {
        guard let since = lastTime else { return Backfill(trades: [], complete: true) }
        // The page reaches back far enough when its oldest trade is not newer than the last one we delivered.
        let complete = page.first.map { $0.time <= since } ?? false
        var trades: [BybitTrade] = []
        for trade in page where trade.time >= since && trade.time <= firstLive {
            if admit(trade) == .deliver { trades.append(trade) }
        }
        return Backfill(trades: trades, complete: complete)
    }

    private mutating func remember(_ id: String) {
        seen.insert(id)
        if recent.count < memory {
            recent.append(id)
        } else {
            seen.remove(recent[oldest])
            recent[oldest] = id
            oldest = (oldest + 1) % memory
        }
    }
}
