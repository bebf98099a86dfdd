public import ReflexCore

/// Pure translation of Binance messages into engine vocabulary: no I/O, no clock, no state.
///
/// The trade path (`trade(_:)`) is a hand-written byte scanner because it runs for every message on the tape;
/// everything else goes through `JSONDecoder` and the wire types in `BinanceMessages`.
public enum BinanceParse {}

/// What a market-stream message turned out to be.
public enum BinanceTradeMessage: Hashable, Sendable {
    /// An `aggTrade` (id = aggregate id `a`) or `trade` (id = trade id `t`) event, raw or in a combined envelope.
    case trade(Tick)
    /// Valid but not a trade (depth, bookTicker, a subscription reply): nothing to do.
    case ignored
    /// Not what Binance sends; count it and log it.
    case malformed(BinanceParseFailure)
}

/// Why a message could not be read. Static reasons so the hot path never allocates.
public enum BinanceParseFailure: String, Hashable, Sendable, CustomStringConvertible {
    case notAnObject = "not a JSON object"
    case badSyntax = "invalid JSON syntax"
    case missingField = "trade without price, quantity, time, side or id"
    case badDecimal = "price or quantity is not a plain decimal"
    case badNumber = "integer field out of range"
    case unexpectedShape = "unexpected message shape"

    public var description: String { rawValue }
}
