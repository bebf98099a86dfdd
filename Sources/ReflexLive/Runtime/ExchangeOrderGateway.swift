public import Logging
public import ReflexCore
public import ReflexExchange

/// The runtime's commands carried out by any venue adapter (`ExchangeClient`).
public struct ExchangeOrderGateway: OrderGateway {
    public let client: any ExchangeClient
    let logger: Logger
    /// Wall clock for the times of locally made events (exchange replies carry their own).
    let now: @Sendable () -> Timestamp

    public init(client: any ExchangeClient, logger: Logger, now: @escaping @Sendable () -> Timestamp) {
        self.client = client
        self.logger = logger
        self.now = now
    }

    public func place(_ intent: OrderIntent) async -> [EngineEvent] {
        do {
            return [try await client.place(intent).engineEvent]
        } catch {
            // The adapter already looked the order up by its client id and even that failed: the engine reads the
            // venue's orders and position before it sends anything else, and adopts what it finds.
            logger.warning(
                "order outcome unknown; the engine reconciles",
                metadata: ["clientOrderId": "\(intent.clientOrderID)", "error": "\(error)"])
            return [
                .orderRejected(
                    OrderRejected(
                        clientOrderID: intent.clientOrderID, reason: "outcome unknown: \(error)", kind: .outcomeUnknown,
                        time: now()))
            ]
        }
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
