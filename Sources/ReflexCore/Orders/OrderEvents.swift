/// The venue accepted an order.
public struct OrderAccepted: Hashable, Sendable, Codable {
    public var clientOrderID: ClientOrderID
    /// The venue's own id, when it gave one.
    public var venueOrderID: String?
    public var time: Timestamp
    public init(clientOrderID: ClientOrderID, venueOrderID: String? = nil, time: Timestamp) {
        self.clientOrderID = clientOrderID
        self.venueOrderID = venueOrderID
        self.time = time
    }
}

/// The venue (or a local pre-check) refused an order.
public struct OrderRejected: Hashable, Sendable, Codable {
    public var clientOrderID: ClientOrderID
    public var reason: String
    public var time: Timestamp
    public init(clientOrderID: ClientOrderID, reason: String, time: Timestamp) {
        self.clientOrderID = clientOrderID
        self.reason = reason
        self.time = time
    }
}

/// One execution of an order (partial or final). `tradeID` identifies it across sources, so the same fill
/// reported by a webhook and by the account stream is applied once.
public struct OrderFilled: Hashable, Sendable, Codable {
    public var symbol: String
    public var clientOrderID: ClientOrderID
    public var venueOrderID: String?
    public var tradeID: String
    public var side: Side
    /// Price of this execution.
    public var price: Price
    /// Quantity of this execution (not cumulative).
    public var quantity: Quantity
    /// Filled so far on the order, including this one, when the venue says.
    public var cumulativeQuantity: Quantity?
    /// True when the order is now completely filled.
    public var isFinal: Bool
    /// Commission charged for this execution, in `feeAsset`.
    public var fee: Money
    public var feeAsset: String
    public var time: Timestamp

    public init(
        symbol: String, clientOrderID: ClientOrderID, venueOrderID: String? = nil, tradeID: String, side: Side,
        price: Price, quantity: Quantity, cumulativeQuantity: Quantity? = nil, isFinal: Bool, fee: Money,
        feeAsset: String = "USDT", time: Timestamp
    ) {
        self.symbol = symbol
        self.clientOrderID = clientOrderID
        self.venueOrderID = venueOrderID
        self.tradeID = tradeID
        self.side = side
        self.price = price
        self.quantity = quantity
        self.cumulativeQuantity = cumulativeQuantity
        self.isFinal = isFinal
        self.fee = fee
        self.feeAsset = feeAsset
        self.time = time
    }
}

/// An order left the book without (further) fills: canceled, expired.
public struct OrderCanceled: Hashable, Sendable, Codable {
    public var clientOrderID: ClientOrderID
    public var reason: String?
    public var time: Timestamp
    public init(clientOrderID: ClientOrderID, reason: String? = nil, time: Timestamp) {
        self.clientOrderID = clientOrderID
        self.reason = reason
        self.time = time
    }
}
