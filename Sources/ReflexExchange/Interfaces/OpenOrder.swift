public import ReflexCore

/// An order resting on a venue, plain or conditional.
public struct OpenOrder: Hashable, Sendable {
    /// The id Reflex gave it (`clientOrderId` / `clientAlgoId` on Binance).
    public var clientOrderID: ClientOrderID
    /// The venue's id (`orderId` / `algoId`).
    public var venueOrderID: String
    public var symbol: String
    public var side: Side
    /// Type and price or trigger.
    public var type: OrderType
    /// Original quantity; zero for a close-position conditional order.
    public var quantity: Quantity
    /// Filled so far.
    public var filledQuantity: Quantity
    public var reduceOnly: Bool
    /// Venue status text (`NEW`, `PARTIALLY_FILLED`, …), kept for logs.
    public var status: String

    public init(
        clientOrderID: ClientOrderID, venueOrderID: String, symbol: String, side: Side, type: OrderType,
        quantity: Quantity, filledQuantity: Quantity, reduceOnly: Bool, status: String
    ) {
        self.clientOrderID = clientOrderID
        self.venueOrderID = venueOrderID
        self.symbol = symbol
        self.side = side
        self.type = type
        self.quantity = quantity
        self.filledQuantity = filledQuantity
        self.reduceOnly = reduceOnly
        self.status = status
    }
}
