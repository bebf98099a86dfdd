import Foundation

/// Settings of a `BybitRESTClient`. Every wait is injectable so tests run in milliseconds.
public struct BybitRESTConfiguration: Sendable {
    /// `X-BAPI-RECV-WINDOW` in milliseconds (Bybit default 5000).
    public var recvWindow: Int
    /// Deadline of one HTTP request.
    public var requestTimeout: Duration
    /// Longest wait for a rate-limit window to reset that the client sits out by itself; longer ones are thrown.
    public var maximumRateLimitWait: Duration
    /// Wait after `10006` "Too many visits!" when no reset timestamp came with it.
    public var defaultRateLimitWait: Duration
    /// How many rate-limited attempts of one request are retried.
    public var rateLimitRetries: Int
    /// How long to stop sending after HTTP 403 "access too frequent" (Bybit: at least 10 minutes).
    public var ipBanWait: Duration
    /// Wall-clock milliseconds since the epoch (injectable to simulate a skewed clock).
    public var wallClock: @Sendable () -> Int64

    /// - Parameters:
    ///   - recvWindow: signed request validity in ms (5000).
    ///   - requestTimeout: per-request deadline (10 s).
    ///   - maximumRateLimitWait: longest limit-reset wait sat out automatically (5 s).
    ///   - defaultRateLimitWait: wait after a 10006 without a reset time (1 s).
    ///   - rateLimitRetries: retries after 10006 (3).
    ///   - ipBanWait: pause after HTTP 403 (10 min).
    ///   - wallClock: local time in ms (nil: the system clock).
    public init(
        recvWindow: Int = 5000, requestTimeout: Duration = .seconds(10), maximumRateLimitWait: Duration = .seconds(5),
        defaultRateLimitWait: Duration = .seconds(1), rateLimitRetries: Int = 3, ipBanWait: Duration = .seconds(600),
        wallClock: (@Sendable () -> Int64)? = nil
    ) {
        self.recvWindow = recvWindow
        self.requestTimeout = requestTimeout
        self.maximumRateLimitWait = maximumRateLimitWait
        self.defaultRateLimitWait = defaultRateLimitWait
        self.rateLimitRetries = rateLimitRetries
        self.ipBanWait = ipBanWait
        self.wallClock = wallClock ?? Self.systemMilliseconds
    }

    /// The system clock in ms since the epoch.
    public static func systemMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
