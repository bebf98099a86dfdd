/// Settings of a `DeribitSession`. Every duration is injectable so tests run in milliseconds.
public struct DeribitSessionConfiguration: Sendable {
    /// Reconnect, silence and age settings of the socket.
    public var socket: ResilientWebSocketConfiguration
    /// `public/set_heartbeat` interval in seconds (Deribit minimum 10); Deribit then sends `test_request`s, which
    /// are answered, and the silence watchdog notices a dead connection.
    public var heartbeatSeconds: Int
    /// How long a request waits for its answer.
    public var requestTimeout: Duration
    /// Trades per `public/get_last_trades_by_instrument` backfill request.
    public var backfillPageSize: Int

    /// - Parameters:
    ///   - socket: the shared WebSocket client's settings (silence timeout 3× the heartbeat by default).
    ///   - heartbeatSeconds: heartbeat interval (10 s).
    ///   - requestTimeout: answer deadline per request (10 s).
    ///   - backfillPageSize: trades per backfill request (1000).
    public init(
        socket: ResilientWebSocketConfiguration = .init(silenceTimeout: .seconds(30)), heartbeatSeconds: Int = 10,
        requestTimeout: Duration = .seconds(10), backfillPageSize: Int = 1000
    ) {
        self.socket = socket
        self.heartbeatSeconds = max(heartbeatSeconds, 10)
        self.requestTimeout = requestTimeout
        self.backfillPageSize = max(1, min(backfillPageSize, 1000))
    }
}
