/// Counters kept by a Deribit trade tape.
public struct DeribitTapeStatistics: Hashable, Sendable {
    /// Ticks handed to the consumer (live and backfilled).
    public var delivered = 0
    /// Ticks that came from a backfill request.
    public var backfilled = 0
    /// Gaps found in `trade_seq`.
    public var gaps = 0
    /// Trades a backfill could not recover.
    public var lost: Int64 = 0
    /// Trades dropped because their sequence number was already delivered.
    public var duplicates = 0
    /// Trade notifications that could not be read.
    public var malformed = 0
    /// Trades dropped because the instrument (and so the unit of `amount`) was not known yet.
    public var unconverted = 0

    public init() {}
}
