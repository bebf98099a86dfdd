public import ReflexCore

/// The request side of a venue, named by intent: its wire primitives only. One implementation per venue (Binance,
/// Bybit, Deribit). What to do with them — the pre-trade checks, what an error means for the engine, the policy for
/// an order whose outcome is unknown — is the venue-neutral execution layer's (`OrderExecution` in ReflexLive).
public protocol ExchangeClient: Sendable {
    /// Short venue name for logs and metrics (`binance-usdm`).
    var venue: String { get }

    /// Sends `intent` once, as it is: no filter check, no retry of a state-changing request, no look-up.
    /// - Parameter referencePrice: the price a market order is expected to fill at, for a venue whose order sizes
    ///   are in quote units (Deribit's USD contracts); nil when the engine has none yet.
    /// - Returns: `.accepted`, or `.rejected` when the venue's answer itself says the order was refused.
    /// - Throws: `ExchangeError` as the venue answered or the transport failed (``refusal(_:of:)`` reads it).
    func submit(_ intent: OrderIntent, referencePrice: Price?) async throws -> OrderPlacement

    /// Where an order whose placement had no answer is, found by its client id.
    func lookUp(_ intent: OrderIntent) async throws -> OrderLookup

    /// Delays before each look-up after an unknown outcome.
    var outcomeLookups: [Duration] { get }

    /// The engine's kind of refusal when `error` means the venue certainly does not have the order; nil when the
    /// order's fate is open (a timeout, a 5xx, a throttle the transport did not wait out). Only asked of errors that
    /// are not `isOutcomeUnknown`.
    func refusal(_ error: ExchangeError, of intent: OrderIntent) -> OrderRejected.Kind?

    /// Why this venue cannot take `id` as a client order id, or nil.
    func clientOrderIDProblem(_ id: ClientOrderID) -> String?

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

    public var outcomeLookups: [Duration] { [.milliseconds(200), .seconds(1)] }

    public func clientOrderIDProblem(_ id: ClientOrderID) -> String? { nil }

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

/// Where a look-up after an unknown outcome found the order.
public enum OrderLookup: Hashable, Sendable {
    /// The venue has it (open, or already filled: fills arrive on the account stream).
    case found(venueOrderID: String)
    /// The venue says it never had it (Binance `-2013` on a query that also finds filled orders).
    case absent
    /// Not among the open orders: never placed, or already filled and gone from the book.
    case notOpen
}
