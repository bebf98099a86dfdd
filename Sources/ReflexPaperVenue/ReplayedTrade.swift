import ReflexCore

/// One trade of the tape as the venue publishes it: an aggregate trade with its own consecutive id.
struct ReplayedTrade: Sendable {
    /// Aggregate trade id (`a`), consecutive across loops.
    let id: Int64
    let price: Price
    let quantity: Quantity
    /// Trade time in ms (`T`), shifted on later loops.
    let time: Int64
    /// `m`: the buyer was the maker (the seller took liquidity).
    let buyerIsMaker: Bool

    /// The `<symbol>@aggTrade` stream payload (A10), fields in the documented order.
    func streamPayload(symbol: String) -> String {
        var o = JSONText()
        o.string("e", "aggTrade")
        o.int("E", time)
        o.string("s", symbol)
        o.int("a", id)
        o.decimal("p", price)
        o.decimal("q", quantity)
        o.int("f", id)
        o.int("l", id)
        o.int("T", time)
        o.bool("m", buyerIsMaker)
        return o.object
    }

    /// One element of `GET /fapi/v1/aggTrades`.
    var restPayload: String {
        var o = JSONText()
        o.int("a", id)
        o.decimal("p", price)
        o.decimal("q", quantity)
        o.int("f", id)
        o.int("l", id)
        o.int("T", time)
        o.bool("m", buyerIsMaker)
        return o.object
    }
}
