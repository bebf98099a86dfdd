public import ReflexCore

/// The request side of a venue, named by intent. One implementation per venue (Binance, later Bybit, Deribit);
/// the engine only ever sees this protocol and engine events.
public protocol ExchangeClient: Sendable {
    /// Short venue name for logs and metrics (`binance-usdm`).
    var venue: String { get }

    /// Sends `intent` once. Local filter violations and venue refusals come back as `.rejected`; an unknown outcome
    /// (timeout, 503) is resolved by looking the order up by its client id, never by sending it again.
    /// - Throws: `ExchangeError` when the outcome cannot be established.
    func place(_ intent: OrderIntent) async throws -> OrderPlacement

    /// Cancels the order (plain or conditional) with `clientOrderID`.
    /// - Throws: `ExchangeError` (e.g. `.noSuchOrder` when it is already gone).
    func cancel(symbol: String, clientOrderID: ClientOrderID, conditional: Bool) async throws -> OrderCanceled

    /// Orders resting on the venue for `symbol`, plain and conditional.
    func openOrders(symbol: String) async throws -> [OpenOrder]

    /// Non-flat positions, optionally for one symbol.
    func positions(symbol: String?) async throws -> [PositionUpdate]

    /// Balances and margin totals.
    func account() async throws -> AccountSnapshot

    /// Tick size, step size and size/notional limits of `symbol`.
    func instrumentRules(symbol: String) async throws -> Instrument

    /// Moves `amount` of the margin asset into the isolated margin of the open `symbol` position (the margin
    /// defence's `addMargin`); the venue's position update follows on the account stream.
    /// - Throws: `ExchangeError` (`unsupported` for a venue without isolated top-ups).
    func addMargin(symbol: String, amount: Money) async throws

    /// Closes the client's REST connections when the bot stops; calls made afterwards fail.
    func shutdown()
}

extension ExchangeClient {
    public func shutdown() {}

    public func addMargin(symbol: String, amount: Money) async throws {
        throw ExchangeError(
            code: ExchangeError.unsupported, message: "\(venue) has no isolated-margin top-up in Reflex yet")
    }
}

/// What happened to a placed order, as the engine event it becomes.
public enum OrderPlacement: Hashable, Sendable {
    /// The venue has the order (it may already be filled; fills arrive on the account stream).
    case accepted(OrderAccepted)
    /// The order is not on the venue: refused by a local filter check or by the venue.
    case rejected(OrderRejected)

    /// The engine event this outcome is.
    public var engineEvent: EngineEvent {
        switch self {
        case .accepted(let accepted): return .orderAccepted(accepted)
        case .rejected(let rejected): return .orderRejected(rejected)
        }
    }
}
