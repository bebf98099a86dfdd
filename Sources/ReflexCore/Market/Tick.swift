/// One trade on the tape.
public struct Tick: Hashable, Sendable, Codable {
    /// Exchange trade time.
    public var time: Timestamp
    public var price: Price
    public var quantity: Quantity
    /// The side that took liquidity (Binance `is_buyer_maker == true` ⇒ seller aggressed).
    public var aggressor: Side
    /// The venue's trade (or aggregate-trade) id; consecutive on Binance.
    public var tradeID: Int64

    public init(time: Timestamp, price: Price, quantity: Quantity, aggressor: Side, tradeID: Int64) {
        self.time = time
        self.price = price
        self.quantity = quantity
        self.aggressor = aggressor
        self.tradeID = tradeID
    }
}
