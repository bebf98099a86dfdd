public import ReflexCore

/// How the runtime's commands reach a venue. An exchange adapter implements it; results come back as events
/// (accepted, rejected, canceled), fills arrive separately through the account stream and webhooks.
public protocol OrderGateway: Sendable {
    /// Sends an order; answers `orderAccepted` or `orderRejected` (with the venue's reason).
    func place(_ intent: OrderIntent) async -> [EngineEvent]
    /// Cancels an order; answers `orderCanceled`, or `orderRejected` when the venue no longer has it.
    func cancel(_ request: CancelRequest) async -> [EngineEvent]
    /// Adds isolated margin; answers notices only (the venue's position update follows on the stream).
    func addMargin(symbol: String, amount: Money) async -> [EngineEvent]
    /// The venue's open orders for `symbol` (start-up reconciliation).
    func openOrders(symbol: String) async throws -> [VenueOrder]
    /// The venue's position for `symbol` (start-up reconciliation).
    func position(symbol: String) async throws -> PositionUpdate
}

/// An open order as the venue reports it.
public struct VenueOrder: Sendable, Hashable {
    public var clientOrderID: ClientOrderID
    public var side: Side
    public var type: OrderType
    public var quantity: Quantity
    public var reduceOnly: Bool
    public init(clientOrderID: ClientOrderID, side: Side, type: OrderType, quantity: Quantity, reduceOnly: Bool) {
        self.clientOrderID = clientOrderID
        self.side = side
        self.type = type
        self.quantity = quantity
        self.reduceOnly = reduceOnly
    }
}
