public import ReflexCore

/// One incoming JSON-RPC 2.0 message from Deribit, classified (spec C).
public enum DeribitMessage: Hashable, Sendable {
    /// The answer to our request `id`.
    case result(id: Int64, result: JSONValue)
    /// A JSON-RPC error, for request `id` when it names one.
    case error(id: Int64?, code: Int, message: String)
    /// A `subscription` notification: `params.channel` and `params.data`.
    case notification(channel: String, data: JSONValue)
    /// A `heartbeat` notification; `type` is `heartbeat` or `test_request` (which must be answered with
    /// `public/test`, or Deribit closes the connection).
    case heartbeat(type: String)
    /// Not what Deribit documents; count it and log it.
    case malformed(String)
}

/// A Deribit trade (public `trades.…` or private `user.trades.…`), amounts still in venue units.
public struct DeribitTrade: Hashable, Sendable {
    public var tradeID: String
    /// Per-instrument consecutive sequence number (`trade_seq`).
    public var sequence: Int64
    public var instrument: String
    public var time: Timestamp
    public var price: Price
    /// In the instrument's `QuantityUnit` (USD for inverse perpetuals).
    public var amount: Quantity
    /// `direction`: the taker's side on the public tape, our side on `user.trades`.
    public var direction: Side
    /// Private fields (absent on the public tape).
    public var orderID: String?
    public var label: String?
    public var fee: Money?
    public var feeCurrency: String?
    /// `state` of the order after this trade (`filled`, `open`).
    public var orderState: String?
    /// Set when the trade was a liquidation (`M`, `T` or `MT`).
    public var liquidation: String?
}

/// A Deribit order object (`user.orders.…`, `private/buy` result, open-order lists).
public struct DeribitOrder: Hashable, Sendable {
    public var orderID: String
    /// Our client id (`label`), empty for orders Reflex did not place.
    public var label: String
    public var instrument: String
    public var direction: Side
    /// `order_type`: `market`, `limit`, `stop_market`, `take_market`, …
    public var orderType: String
    /// `order_state`: `open`, `untriggered`, `filled`, `cancelled`, `rejected`, `triggered`.
    public var state: String
    /// In venue units.
    public var amount: Quantity
    public var filledAmount: Quantity
    /// nil for market orders (Deribit sends the string `"market_price"`).
    public var price: Price?
    public var triggerPrice: Price?
    public var reduceOnly: Bool
    public var time: Timestamp
    public var cancelReason: String?
}
