import Foundation

/// Settings of a `BinanceRESTClient`. Every wait is injectable so tests run in milliseconds.
public struct BinanceRESTConfiguration: Sendable {
    /// `recvWindow` sent with signed requests, in milliseconds (Binance default 5000).
    public var recvWindow: Int64
    /// Deadline of one HTTP request.
    public var requestTimeout: Duration
    /// Longest `Retry-After` (429/418) the client waits out by itself; longer waits are thrown to the caller.
    public var maximumRateLimitWait: Duration
    /// Wait after a 429 that carries no `Retry-After`.
    public var defaultRateLimitWait: Duration
    /// How many rate-limited attempts of one request are retried.
    public var rateLimitRetries: Int
    /// Waits before each lookup of an order whose placement outcome is unknown (503, timeout).
    public var unknownOutcomeLookups: [Duration]
    /// Waits before each retry of a read (GET) that failed for a reason that may pass (503, no answer, 5xx): a read
    /// changes nothing, so trying it again is always safe.
    public var readRetries: [Duration] = [.milliseconds(100), .milliseconds(300), .seconds(1)]
    /// Wall-clock milliseconds since the epoch (injectable to simulate a skewed local clock).
    public var wallClock: @Sendable () -> Int64
    /// Called with method and path just before each request is handed to the HTTP client (latency probes).
    public var requestObserver: (@Sendable (_ method: String, _ path: String) -> Void)?

    /// - Parameters:
    ///   - recvWindow: signed request validity in ms (5000).
    ///   - requestTimeout: per-request deadline (10 s).
    ///   - maximumRateLimitWait: longest Retry-After waited out automatically (60 s).
    ///   - defaultRateLimitWait: wait after a 429 without Retry-After (1 s).
    ///   - rateLimitRetries: retries after 429/418 (3).
    ///   - unknownOutcomeLookups: delays before each order lookup after an unknown outcome (0.2 s, 1 s, 3 s).
    ///   - wallClock: local time in ms (nil: the system clock).
    ///   - requestObserver: sees every request as it leaves (nil: none).
    public init(
        recvWindow: Int64 = 5000, requestTimeout: Duration = .seconds(10),
        maximumRateLimitWait: Duration = .seconds(60),
        defaultRateLimitWait: Duration = .seconds(1), rateLimitRetries: Int = 3,
        unknownOutcomeLookups: [Duration] = [.milliseconds(200), .seconds(1), .seconds(3)],
        wallClock: (@Sendable () -> Int64)? = nil, requestObserver: (@Sendable (String, String) -> Void)? = nil
    ) {
        self.recvWindow = recvWindow
        self.requestTimeout = requestTimeout
        self.maximumRateLimitWait = maximumRateLimitWait
        self.defaultRateLimitWait = defaultRateLimitWait
        self.rateLimitRetries = rateLimitRetries
        self.unknownOutcomeLookups = unknownOutcomeLookups
        self.wallClock = wallClock ?? Self.systemMilliseconds
        self.requestObserver = requestObserver
    }

    /// The system clock in ms since the epoch.
    static func systemMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
