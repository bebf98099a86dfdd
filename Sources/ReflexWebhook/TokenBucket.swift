public import ReflexCore

/// A token bucket: `rate` tokens a second, at most `burst` saved up. Pure: time comes in as an argument.
public struct TokenBucket: Hashable, Sendable {
    /// Tokens added per second.
    public let rate: Double
    /// Largest number of tokens held.
    public let burst: Double
    private var tokens: Double
    private var updated: Timestamp

    /// A full bucket as of `now`.
    public init(rate: Double, burst: Double, now: Timestamp) {
        self.rate = rate
        self.burst = max(burst, 1)
        self.tokens = self.burst
        self.updated = now
    }

    /// Takes one token if there is one; otherwise says how long until there will be.
    public mutating func take(now: Timestamp) -> RateDecision {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return .allowed
        }
        // A bucket that never refills (rate 0) or a wait beyond an hour is reported as an hour.
        let wait = (1 - tokens) / rate * 1e9
        guard wait.isFinite, wait < 3.6e12 else { return .limited(retryAfter: .seconds(3600)) }
        return .limited(retryAfter: .nanoseconds(Int64(wait.rounded(.up))))
    }

    /// True when the bucket would be full at `now`, so forgetting it changes nothing.
    public func isFull(at now: Timestamp) -> Bool {
        tokens + Double((now - updated).nanoseconds) / 1e9 * rate >= burst
    }

    private mutating func refill(now: Timestamp) {
        // A clock that steps back must not mint tokens or drive the count negative.
        guard updated < now else { return }
        tokens = min(burst, tokens + Double((now - updated).nanoseconds) / 1e9 * rate)
        updated = now
    }
}

/// The answer of a rate limiter.
public enum RateDecision: Hashable, Sendable {
    case allowed
    /// Refused; a token will be available after this long.
    case limited(retryAfter: Duration)

    /// Whole seconds for a `Retry-After` header (at least 1).
    public var retryAfterSeconds: Int? {
        guard case .limited(let wait) = self else { return nil }
        let (seconds, attoseconds) = wait.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}

/// One token bucket per source address. Pure: time comes in as an argument.
public struct SourceRateLimiter: Sendable {
    /// Requests per second per source; 0 turns limiting off.
    public let rate: Double
    public let burst: Double
    private var buckets: [String: TokenBucket] = [:]
    private var lastSweep: Timestamp?

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Number of sources currently tracked.
    public var trackedSources: Int { buckets.count }

    /// Takes a token from `source`'s bucket.
    public mutating func admit(source: String, now: Timestamp) -> RateDecision {
        guard rate > 0 else { return .allowed }
        sweep(now: now)
        var bucket = buckets[source] ?? TokenBucket(rate: rate, burst: burst, now: now)
        let decision = bucket.take(now: now)
        buckets[source] = bucket
        return decision
    }

    /// Forgets full buckets (a new one starts full anyway) so memory follows active sources only.
    private mutating func sweep(now: Timestamp) {
        if let lastSweep, now - lastSweep < .seconds(10) { return }
        lastSweep = now
        buckets = buckets.filter { !$0.value.isFull(at: now) }
    }
}
