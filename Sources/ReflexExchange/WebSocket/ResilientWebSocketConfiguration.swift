/// Timing and limits of a `ResilientWebSocket`. Every duration is injectable so tests run in milliseconds.
public struct ResilientWebSocketConfiguration: Sendable {
    /// Reconnect delays.
    public var backoff: ReconnectBackoff
    /// Reconnect when no message arrives for this long; nil disables silence detection.
    public var silenceTimeout: Duration?
    /// Replace the connection before it gets this old (Binance cuts connections at 24 h); nil disables.
    public var maximumConnectionAge: Duration?
    /// How often the watchdog checks silence, age and reconnect requests.
    public var watchdogInterval: Duration
    /// Largest message accepted, after reassembly.
    public var maximumMessageSize: Int
    /// Send our own pings this often (the server's pings are always answered); nil disables.
    public var pingInterval: Duration?
    /// How long to wait for the server's close reply before dropping the socket.
    public var closeTimeout: Duration

    /// - Parameters:
    ///   - backoff: reconnect delays (1 s → 30 s, jitter 20 %, healthy after 60 s).
    ///   - silenceTimeout: reconnect after this long without a message (60 s).
    ///   - maximumConnectionAge: proactive reconnect age (23 h 50 min, under Binance's 24 h).
    ///   - watchdogInterval: how often to check (1 s).
    ///   - maximumMessageSize: largest message (1 MiB).
    ///   - pingInterval: own keep-alive pings (nil: rely on the server's).
    ///   - closeTimeout: wait for the server's close reply (2 s); a hung server must not delay the reconnect.
    public init(
        backoff: ReconnectBackoff = .init(), silenceTimeout: Duration? = .seconds(60),
        maximumConnectionAge: Duration? = .seconds(23 * 3600 + 50 * 60), watchdogInterval: Duration = .seconds(1),
        maximumMessageSize: Int = 1 << 20, pingInterval: Duration? = nil, closeTimeout: Duration = .seconds(2)
    ) {
        self.backoff = backoff
        self.silenceTimeout = silenceTimeout
        self.maximumConnectionAge = maximumConnectionAge
        self.watchdogInterval = watchdogInterval
        self.maximumMessageSize = maximumMessageSize
        self.pingInterval = pingInterval
        self.closeTimeout = closeTimeout
    }
}
