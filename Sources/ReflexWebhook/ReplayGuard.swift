public import ReflexCore

/// Remembers delivery ids until their timestamp can no longer pass the freshness check, so a retried or
/// replayed delivery is recognised. Pure: time comes in as an argument.
///
/// An id is kept until `timestamp + tolerance`; after that the verifier itself refuses the delivery as stale,
/// so forgetting the id then opens no window. Expired ids are dropped in per-second buckets, O(1) amortised.
public struct ReplayGuard: Sendable {
    /// What to do with a delivery id.
    public enum Admission: Hashable, Sendable {
        /// First sighting: apply it.
        case fresh
        /// Seen before: answer 200 and do nothing.
        case duplicate
        /// Too many live ids; refusing is safer than forgetting one and accepting a replay.
        case full
    }

    /// Most ids remembered at once.
    public let capacity: Int
    private var expiries: [String: Int64] = [:]
    private var buckets: [Int64: [String]] = [:]
    private var sweptBefore: Int64 = .min

    public init(capacity: Int = 1_000_000) { self.capacity = capacity }

    /// Number of ids currently remembered.
    public var count: Int { expiries.count }

    /// Records `id` if it is new.
    /// - Parameters:
    ///   - expiresAt: when the id may be forgotten (the delivery's timestamp plus the tolerance).
    ///   - now: the current time.
    public mutating func admit(_ id: String, expiresAt: Timestamp, now: Timestamp) -> Admission {
        sweep(now: now)
        if expiries[id] != nil { return .duplicate }
        guard expiries.count < capacity else { return .full }
        // Round up so an id is never dropped before its exact expiry.
        let second = (expiresAt.nanoseconds + 999_999_999) / 1_000_000_000
        expiries[id] = second
        buckets[second, default: []].append(id)
        return .fresh
    }

    private mutating func sweep(now: Timestamp) {
        let current = now.nanoseconds / 1_000_000_000
        guard current > sweptBefore else { return }
        if sweptBefore != .min && current - sweptBefore <= Int64(buckets.count) {
            for second in sweptBefore..<current { drop(second) }
        } else {
            for second in buckets.keys where second < current { drop(second) }
        }
        sweptBefore = current
    }

    private mutating func drop(_ second: Int64) {
        guard let ids = buckets.removeValue(forKey: second) else { return }
        for id in ids { expiries[id] = nil }
    }
}
