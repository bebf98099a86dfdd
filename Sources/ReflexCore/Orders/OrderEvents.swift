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
    /// What the refusal says about the engine's picture of the venue.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// A plain refusal (filters, margin for an entry, a cancel of an order already gone).
        case refused
        /// The venue's answer contradicts the local position: a reduce-only order with nothing to reduce
        /// (Binance -2022, Bybit 110017), an exit without margin (-2019), a position side that does not match.
        /// Retrying cannot help; reading the venue can.
        case contradictsPosition
        /// Sent, but neither the answer nor a look-up could say whether the venue has it.
        case outcomeUnknown
        /// A stop or take-profit whose trigger the price has already passed (Binance -2021): in a fast market the
        /// protection is placed after the move it protects against.
        case wouldTrigger
        /// Held back before it left: a limit outside the engine (the portfolio's) does not let it go now. The
        /// venue never saw it; the entry is tried again on a later bar, and it does not count towards pausing.
        case heldByLimit
    }

    public var clientOrderID: ClientOrderID
    public var reason: String
    public var kind: Kind
    public var time: Timestamp
    public init(clientOrderID: ClientOrderID, reason: String, kind: Kind = .refused, time: Timestamp) {
        self.clientOrderID = clientOrderID
        self.reason = reason
        self.kind = kind
        self.time = time
    }

    enum CodingKeys: String, CodingKey { case clientOrderID, reason, kind, time }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clientOrderID = try c.decode(ClientOrderID.self, forKey: .clientOrderID)
        reason = try c.decode(String.self, forKey: .reason)
        // Journals written before `kind` existed hold plain refusals.
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .refused
        time = try c.decode(Timestamp.self, forKey: .time)
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
