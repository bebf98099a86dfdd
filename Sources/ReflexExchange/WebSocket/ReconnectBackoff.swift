/// How long to wait before reconnecting: exponential from `initial` to `maximum`, with jitter so a fleet of
/// clients dropped together does not reconnect together.
///
/// Pure: the random draw is an argument, so tests pin it.
public struct ReconnectBackoff: Hashable, Sendable {
    /// Delay after the first failure.
    public var initial: Duration
    /// Cap on the delay.
    public var maximum: Duration
    /// Growth factor per consecutive failure.
    public var multiplier: Double
    /// Fraction of the delay that is randomised: the wait is `delay · (1 − jitter · r)` for `r` in `[0, 1)`.
    public var jitter: Double
    /// A connection that stayed up this long counts as healthy and resets the failure count.
    public var healthyAfter: Duration

    /// - Parameters:
    ///   - initial: delay after the first failure (1 s).
    ///   - maximum: largest delay (30 s).
    ///   - multiplier: growth per failure (2).
    ///   - jitter: randomised fraction of each delay (0.2).
    ///   - healthyAfter: uptime that resets the failure count (60 s).
    public init(
        initial: Duration = .seconds(1), maximum: Duration = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.2, healthyAfter: Duration = .seconds(60)
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
        self.healthyAfter = healthyAfter
    }

    /// The wait after `failures` consecutive failures (1 = first), given a uniform draw `random` in `[0, 1)`.
    public func delay(afterFailures failures: Int, random: Double) -> Duration {
        guard failures > 0 else { return .zero }
        let initialSeconds = initial.secondsValue
        let cap = maximum.secondsValue
        // Stop growing once past the cap so large failure counts cannot overflow to infinity.
        var seconds = initialSeconds
        var step = 1
        while step < failures && seconds < cap {
            seconds *= multiplier
            step += 1
        }
        seconds = min(seconds, cap)
        let clampedRandom = min(max(random, 0), 1)
        seconds *= 1 - min(max(jitter, 0), 1) * clampedRandom
        return .nanoseconds(Int64(seconds * 1e9))
    }
}

extension Duration {
    /// The duration in seconds as a `Double` (for back-off arithmetic and logs, never for money).
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
