public import ReflexCore
public import ReflexExchange

/// How the runtime's commands reach a venue. An exchange adapter implements it; results come back as events
/// (accepted, rejected, canceled), fills arrive separately through the account stream and webhooks.
public protocol OrderGateway: Sendable {
    /// Sends an order; answers `orderAccepted` or `orderRejected` (with the venue's reason).
    /// - Parameter referencePrice: the market's last trade when the engine decided (a market order's notional).
    func place(_ intent: OrderIntent, referencePrice: Price?) async -> [EngineEvent]
    /// Cancels an order; answers `orderCanceled`, or `orderRejected` when the venue no longer has it.
    func cancel(_ request: CancelRequest) async -> [EngineEvent]
    /// Adds isolated margin; answers notices only (the venue's position update follows on the stream).
    func addMargin(symbol: String, amount: Money) async -> [EngineEvent]
    /// The venue's open orders for `symbol` (start-up reconciliation).
    func openOrders(symbol: String) async throws -> [OpenOrder]
    /// The venue's position for `symbol` (start-up reconciliation).
    func position(symbol: String) async throws -> PositionUpdate
    /// The venue's price and size rules for `symbol` (checked against the strategy's at start-up).
    func instrumentRules(symbol: String) async throws -> Instrument
}

extension OrderGateway {
    /// Every non-flat position of the account (start-up report of markets the bot does not trade).
    public func allPositions() async throws -> [PositionUpdate] { [] }
    /// The account's balances and margin totals (shown in status), when the venue reports them.
    public func account() async throws -> AccountSnapshot? { nil }
}
