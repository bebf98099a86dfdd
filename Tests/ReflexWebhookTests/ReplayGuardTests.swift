import ReflexCore
import Testing

@testable import ReflexWebhook

struct ReplayGuardTests {
    @Test func secondSightingIsDuplicateUntilExpiry() {
        var guardian = ReplayGuard()
        let now = Timestamp.seconds(1_000)
        let expiry = now + .seconds(300)
        #expect(guardian.admit("a", expiresAt: expiry, now: now) == .fresh)
        #expect(guardian.admit("a", expiresAt: expiry, now: now + .seconds(299)) == .duplicate)
        #expect(guardian.admit("b", expiresAt: expiry, now: now) == .fresh)
        #expect(guardian.admit("a", expiresAt: expiry, now: now + .seconds(300)) == .duplicate)
        // Past the expiry the id is forgotten; the verifier refuses such an old timestamp by then anyway.
        #expect(guardian.admit("c", expiresAt: now + .seconds(900), now: now + .seconds(302)) == .fresh)
        #expect(guardian.count == 1)
    }

    @Test func refusesRatherThanForgetsWhenFull() {
        var guardian = ReplayGuard(capacity: 2)
        let now = Timestamp.seconds(1_000)
        #expect(guardian.admit("a", expiresAt: now + .seconds(300), now: now) == .fresh)
        #expect(guardian.admit("b", expiresAt: now + .seconds(300), now: now) == .fresh)
        #expect(guardian.admit("c", expiresAt: now + .seconds(300), now: now) == .full)
        #expect(guardian.admit("a", expiresAt: now + .seconds(300), now: now) == .duplicate)
    }

    @Test func sweepsAfterALongGap() {
        var guardian = ReplayGuard()
        #expect(guardian.admit("a", expiresAt: .seconds(10), now: .seconds(5)) == .fresh)
        #expect(guardian.admit("b", expiresAt: .seconds(10_000_020), now: .seconds(10_000_000)) == .fresh)
        #expect(guardian.count == 1)
    }
}

struct TokenBucketTests {
    @Test func burstThenRate() {
        var bucket = TokenBucket(rate: 2, burst: 3, now: .seconds(100))
        for _ in 0..<3 { #expect(bucket.take(now: .seconds(100)) == .allowed) }
        let refused = bucket.take(now: .seconds(100))
        #expect(refused == .limited(retryAfter: .milliseconds(500)))
        #expect(refused.retryAfterSeconds == 1)
        #expect(bucket.take(now: .seconds(100) + .milliseconds(500)) == .allowed)
        #expect(bucket.take(now: .seconds(100) + .milliseconds(500)) != .allowed)
    }

    @Test func zeroRateBucketNeverRefillsAndDoesNotTrap() {
        var bucket = TokenBucket(rate: 0, burst: 1, now: .seconds(100))
        #expect(bucket.take(now: .seconds(100)) == .allowed)
        #expect(bucket.take(now: .seconds(10_000)).retryAfterSeconds == 3600)
    }

    @Test func clockSteppingBackMintsNothing() {
        var bucket = TokenBucket(rate: 1, burst: 1, now: .seconds(100))
        #expect(bucket.take(now: .seconds(100)) == .allowed)
        #expect(bucket.take(now: .seconds(50)) != .allowed)
    }

    @Test func limitsEachSourceSeparatelyAndZeroTurnsItOff() {
        var limiter = SourceRateLimiter(rate: 1, burst: 1)
        let now = Timestamp.seconds(100)
        #expect(limiter.admit(source: "10.0.0.1", now: now) == .allowed)
        #expect(limiter.admit(source: "10.0.0.1", now: now).retryAfterSeconds == 1)
        #expect(limiter.admit(source: "10.0.0.2", now: now) == .allowed)
        var off = SourceRateLimiter(rate: 0, burst: 0)
        for _ in 0..<1_000 { #expect(off.admit(source: "x", now: now) == .allowed) }
    }

    @Test func forgetsIdleSources() {
        var limiter = SourceRateLimiter(rate: 10, burst: 10)
        _ = limiter.admit(source: "a", now: .seconds(100))
        _ = limiter.admit(source: "b", now: .seconds(200))
        #expect(limiter.trackedSources == 1)
    }
}
