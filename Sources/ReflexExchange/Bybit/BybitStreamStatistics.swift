/// Counters kept by a Bybit stream.
public struct BybitStreamStatistics: Hashable, Sendable {
    /// Ticks handed to the consumer (live and backfilled), or events for the private stream.
    public var delivered = 0
    /// Ticks that came from REST backfill.
    public var backfilled = 0
    /// Reconnect gaps that were backfilled.
    public var gaps = 0
    /// Backfills that failed or did not reach back to the last delivered trade.
    public var incompleteBackfills = 0
    /// Trades dropped because their id was already delivered.
    public var duplicates = 0
    /// Trades dropped because they were older than the last delivered one.
    public var stale = 0
    /// Messages that were not valid Bybit messages.
    public var malformed = 0
    /// Answers to our pings.
    public var pongs = 0
    /// Reconnects of the socket.
    public var reconnects = 0
    /// Successful private-stream authentications.
    public var authentications = 0
    /// Refused private-stream authentications.
    public var authenticationFailures = 0

    public init() {}
}
