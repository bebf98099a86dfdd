/// Settings of a Bybit stream. Every duration is injectable so tests run in milliseconds.
public struct BybitStreamConfiguration: Sendable {
    /// Reconnect, silence and age settings of the underlying socket.
    public var socket: ResilientWebSocketConfiguration
    /// How often `{"op":"ping"}` is sent (Bybit: every 20 s, or the server drops the connection).
    public var pingInterval: Duration
    /// Trades asked for when backfilling a reconnect gap (`/v5/market/recent-trade` keeps at most 1000).
    public var backfillLimit: Int
    /// How far ahead the private-stream `auth` message's `expires` is set.
    public var authExpiry: Duration
    /// Account maintenance-margin rate (`accountMMRate`) from which a `wallet` push becomes a margin warning.
    public var marginWarningRate: Double

    /// - Parameters:
    ///   - socket: the shared WebSocket client's settings (reconnect back-off, silence timeout, message size).
    ///   - pingInterval: application ping period (20 s).
    ///   - backfillLimit: trades fetched per backfill (1000).
    ///   - authExpiry: validity of the auth signature (5 s; pybit uses 1 s).
    ///   - marginWarningRate: margin-warning threshold (0.8).
    public init(
        socket: ResilientWebSocketConfiguration = .init(), pingInterval: Duration = .seconds(20),
        backfillLimit: Int = 1000, authExpiry: Duration = .seconds(5), marginWarningRate: Double = 0.8
    ) {
        self.socket = socket
        self.pingInterval = pingInterval
        self.backfillLimit = max(1, min(backfillLimit, 1000))
        self.authExpiry = authExpiry
        self.marginWarningRate = marginWarningRate
    }
}
