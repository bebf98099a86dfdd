public import Logging
public import ReflexCore
public import ReflexExchange
import Synchronization

/// The venue-neutral execution layer: every order and cancel the runtime sends, on any venue adapter.
///
/// It owns what does not depend on the venue's wire format, so that each adapter is only its primitives (submit,
/// look up, cancel, snapshot) and the reading of its own error codes:
/// - the pre-trade checks: the venue's filters (``Instrument/violation(of:referencePrice:)``, a market order's
///   notional at the engine's last trade) and the venue's client-id format;
/// - submission, once;
/// - an order whose outcome is unknown (a timeout, a 5xx, a dropped connection) is looked up by its client id on the
///   adapter's schedule, never sent again. Found: accepted. Absent at every look-up on a venue that can say so:
///   refused, not resent. Otherwise the engine is told the outcome is unknown and reads the venue before it sends
///   anything else; that is logged at warning and counted (`unknownOutcomes`), never turned into a silent refusal;
/// - error classification: the adapter names refusals (``ExchangeClient/refusal(_:of:)``); every other failure of a
///   placement is an unknown outcome.
public final class OrderExecution: OrderGateway {
    public let client: any ExchangeClient
    let logger: Logger
    /// Wall clock for the times of locally made events (exchange replies carry their own).
    let now: @Sendable () -> Timestamp
    private let counters = Mutex(Counters())

    /// What the layer decided, since start.
    public struct Counters: Sendable, Hashable {
        /// Refused before they left: filters, client-id format, rules unavailable.
        public var rejectedLocally = 0
        /// Placements without an answer, looked up.
        public var lookedUp = 0
        /// …of which the look-up found the order.
        public var foundAfterLookUp = 0
        /// Placements whose outcome stayed unknown (the engine reads the venue).
        public var unknownOutcomes = 0
    }

    public var statistics: Counters { counters.withLock { $0 } }

    public init(client: any ExchangeClient, logger: Logger, now: @escaping @Sendable () -> Timestamp) {
        self.client = client
        self.logger = logger
        self.now = now
    }

    public func place(_ intent: OrderIntent, referencePrice: Price?) async -> [EngineEvent] {
        [await execute(intent, referencePrice: referencePrice)]
    }

    /// One order through the checks, the venue and, if need be, the look-ups; the one event that ends it.
    public func execute(_ intent: OrderIntent, referencePrice: Price?) async -> EngineEvent {
        let rules: Instrument
        do {
            rules = try await client.instrumentRules(symbol: intent.symbol)
        } catch {
            return rejectLocally(intent, "not sent: the venue's rules for \(intent.symbol) are unavailable: \(error)")
        }
        if let violation = rules.violation(of: intent, referencePrice: referencePrice) {
            return rejectLocally(intent, "filter: \(violation)")
        }
        if let problem = client.clientOrderIDProblem(intent.clientOrderID) { return rejectLocally(intent, problem) }
        do {
            return try await client.submit(intent, referencePrice: referencePrice).engineEvent
        } catch let error as ExchangeError {
            if !error.isOutcomeUnknown, let kind = client.refusal(error, of: intent) {
                return .orderRejected(
                    OrderRejected(
                        clientOrderID: intent.clientOrderID, reason: "\(client.venue) \(error.code): \(error.message)",
                        kind: kind, time: intent.time))
            }
            return await lookUp(intent, cause: "\(error)")
        } catch {
            return await lookUp(intent, cause: "\(error)")
        }
    }

    /// The unknown-outcome policy: look the order up instead of sending it again (a resend could double a filled
    /// market order).
    private func lookUp(_ intent: OrderIntent, cause: String) async -> EngineEvent {
        logger.warning(
            "order outcome unknown, looking it up",
            metadata: ["clientOrderId": "\(intent.clientOrderID)", "error": "\(cause)"])
        counters.withLock { $0.lookedUp += 1 }
        let schedule = client.outcomeLookups
        var absent = 0
        for delay in schedule {
            do { try await Task.sleep(for: delay) } catch { break }
            do {
                switch try await client.lookUp(intent) {
                case .found(let venueOrderID):
                    logger.info(
                        "order found after unknown outcome", metadata: ["clientOrderId": "\(intent.clientOrderID)"])
                    counters.withLock { $0.foundAfterLookUp += 1 }
                    return .orderAccepted(
                        OrderAccepted(
                            clientOrderID: intent.clientOrderID, venueOrderID: venueOrderID, time: intent.time))
                case .absent: absent += 1
                case .notOpen: break
                }
            } catch {
                logger.warning(
                    "order look-up failed", metadata: ["clientOrderId": "\(intent.clientOrderID)", "error": "\(error)"])
            }
        }
        if absent > 0 && absent == schedule.count {
            return .orderRejected(
                OrderRejected(
                    clientOrderID: intent.clientOrderID,
                    reason: "outcome unknown (\(cause)) and the venue does not have the order; not resent",
                    time: intent.time))
        }
        counters.withLock { $0.unknownOutcomes += 1 }
        logger.warning(
            "order outcome still unknown; not resent, the engine reads the venue",
            metadata: ["clientOrderId": "\(intent.clientOrderID)", "lookUps": "\(schedule.count)", "error": "\(cause)"])
        return .orderRejected(
            OrderRejected(
                clientOrderID: intent.clientOrderID,
                reason: "outcome unknown after \(schedule.count) look-ups (\(cause)); not resent",
                kind: .outcomeUnknown,
                time: now()))
    }

    private func rejectLocally(_ intent: OrderIntent, _ reason: String) -> EngineEvent {
        logger.warning(
            "order rejected locally", metadata: ["clientOrderId": "\(intent.clientOrderID)", "reason": "\(reason)"])
        counters.withLock { $0.rejectedLocally += 1 }
        return .orderRejected(OrderRejected(clientOrderID: intent.clientOrderID, reason: reason, time: intent.time))
    }

    public func cancel(_ request: CancelRequest) async -> [EngineEvent] {
        do {
            return [
                .orderCanceled(
                    try await client.cancel(
                        symbol: request.symbol, clientOrderID: request.clientOrderID, conditional: request.conditional))
            ]
        } catch {
            logger.warning(
                "cancel failed", metadata: ["clientOrderId": "\(request.clientOrderID)", "error": "\(error)"])
            // Gone already (filled or cancelled) is a plain refusal; no answer at all leaves the order's fate open.
            let unknown = (error as? ExchangeError).map { $0.isOutcomeUnknown || $0.isRetryable } ?? true
            return [
                .orderRejected(
                    OrderRejected(
                        clientOrderID: request.clientOrderID, reason: "cancel failed: \(error)",
                        kind: unknown ? .outcomeUnknown : .refused, time: now()))
            ]
        }
    }

    public func addMargin(symbol: String, amount: Money) async -> [EngineEvent] {
        do {
            try await client.addMargin(symbol: symbol, amount: amount)
            logger.warning(
                "margin defence: isolated margin added", metadata: ["symbol": "\(symbol)", "amount": "\(amount)"])
        } catch {
            // Nothing to undo in the engine; the margin warnings keep coming and the liquidation guard stays armed.
            logger.critical(
                "margin defence: adding isolated margin failed",
                metadata: ["symbol": "\(symbol)", "amount": "\(amount)", "error": "\(error)"])
        }
        return []
    }

    public func openOrders(symbol: String) async throws -> [OpenOrder] {
        try await client.openOrders(symbol: symbol)
    }

    public func position(symbol: String) async throws -> PositionUpdate {
        try await client.positions(symbol: symbol).first { $0.symbol == symbol }
            ?? PositionUpdate(symbol: symbol, quantity: .zero, entryPrice: .zero, time: now())
    }

    public func allPositions() async throws -> [PositionUpdate] { try await client.positions(symbol: nil) }

    public func account() async throws -> AccountSnapshot? { try await client.account() }

    public func instrumentRules(symbol: String) async throws -> Instrument {
        try await client.instrumentRules(symbol: symbol)
    }
}
