/// The most recent trades of the tape in a fixed-size ring, for `GET /fapi/v1/aggTrades` (gap backfill).
///
/// Ids are consecutive, so a lookup by id is an index computation; times never decrease, so a lookup by time is a
/// binary search. Memory stays at `capacity` trades however long the tape runs.
struct TradeHistory: Sendable {
    private var storage: [ReplayedTrade] = []
    private var head = 0  // index of the oldest trade once the ring is full
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(min(self.capacity, 1 << 16))
    }

    var count: Int { storage.count }

    private func trade(at offset: Int) -> ReplayedTrade { storage[(head + offset) % storage.count] }

    mutating func append(_ trade: ReplayedTrade) {
        if storage.count < capacity {
            storage.append(trade)
        } else {
            storage[head] = trade
            head = (head + 1) % capacity
        }
    }

    /// Up to `limit` trades with id ≥ `fromID`.
    func trades(fromID: Int64, limit: Int) -> [ReplayedTrade] {
        guard !storage.isEmpty else { return [] }
        let first = trade(at: 0).id
        let start = max(0, Int(clamping: fromID - first))
        guard start < storage.count else { return [] }
        return (start..<min(storage.count, start + limit)).map { trade(at: $0) }
    }

    /// Up to `limit` trades with `startTime ≤ T ≤ endTime`, oldest first.
    func trades(startTime: Int64?, endTime: Int64?, limit: Int) -> [ReplayedTrade] {
        guard !storage.isEmpty else { return [] }
        var low = 0
        var high = storage.count
        if let startTime {
            while low < high {
                let mid = (low + high) / 2
                if trade(at: mid).time < startTime { low = mid + 1 } else { high = mid }
            }
        }
        var result: [ReplayedTrade] = []
        var offset = low
        while offset < storage.count && result.count < limit {
            let t = trade(at: offset)
            if let endTime, t.time > endTime { break }
            result.append(t)
            offset += 1
        }
        return result
    }

    /// The latest `limit` trades, oldest first.
    func latest(limit: Int) -> [ReplayedTrade] {
        let start = max(0, storage.count - limit)
        return (start..<storage.count).map { trade(at: $0) }
    }
}
