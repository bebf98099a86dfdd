public import Logging
public import ReflexCore

/// Deribit perpetuals behind the venue-neutral protocols. Orders go over the session's JSON-RPC WebSocket:
/// `private/buy` / `private/sell` (market, limit, `stop_market` / `take_market` with `trigger_price`),
/// `private/cancel`, `private/get_open_orders_by_instrument`, `private/get_positions`,
/// `private/get_account_summary`.
///
/// The engine's quantities are base units (BTC); an inverse perpetual's `amount` is USD. `submit` converts with the
/// order's own price (limit or trigger) or, for a market order, the reference price the execution layer passes (the
/// engine's last trade), rounding down to whole contracts; fills and positions come back converted at their own
/// prices.
///
/// ```swift
/// let exchange = DeribitExchange(urls: .testnet, credentials: .init(clientID: id, clientSecret: secret), logger: logger)
/// let market = exchange.makeMarketStream(instrument: "BTC-PERPETUAL")     // Services sharing one connection:
/// let account = exchange.makeAccountStream(instruments: ["BTC-PERPETUAL"]) // make both before running either
/// let outcome = try await exchange.submit(intent, referencePrice: lastTrade)
/// ```
public final class DeribitExchange: ExchangeClient {
    public let venue = "deribit"
    /// The shared connection.
    public let session: DeribitSession
    private let currencies: [String]
    private let logger: Logger
    private let wallClock: @Sendable () -> Int64

    /// - Parameters:
    ///   - urls: mainnet, testnet or `.local(port:)`.
    ///   - credentials: client id and secret.
    ///   - instruments: instruments whose units are known up front (others are fetched).
    ///   - currencies: settlement currencies for `account()` and `positions(symbol: nil)` (`BTC`).
    ///   - configuration: heartbeat, timeouts and socket settings.
    ///   - wallClock: milliseconds since the epoch, to date answers that carry no time.
    ///   - logger: everything the adapter does of note.
    public init(
        urls: DeribitURLs, credentials: DeribitCredentials, instruments: [DeribitInstrument] = [],
        currencies: [String] = ["BTC"], configuration: DeribitSessionConfiguration = .init(),
        wallClock: @escaping @Sendable () -> Int64 = BybitRESTConfiguration.systemMilliseconds, logger: Logger
    ) {
        self.wallClock = wallClock
        self.session = DeribitSession(
            urls: urls, credentials: credentials, instruments: instruments, configuration: configuration, logger: logger
        )
        self.currencies = currencies
        self.logger = logger
    }

    /// The trade tape of `instrument`.
    public func makeMarketStream(instrument: String) -> DeribitMarketStream {
        DeribitMarketStream(instrument: instrument, session: session)
    }

    /// The account feed of `instruments`.
    public func makeAccountStream(instruments: [String]) -> DeribitAccountStream {
        DeribitAccountStream(instruments: instruments, session: session)
    }

    // MARK: ExchangeClient

    public func instrumentRules(symbol: String) async throws -> Instrument {
        try await session.instrument(named: symbol).rules
    }

    public func submit(_ intent: OrderIntent, referencePrice: Price?) async throws -> OrderPlacement {
        let instrument = try await session.instrument(named: intent.symbol)
        let orderPrice: Price?
        let type: String
        switch intent.type {
        case .market:
            orderPrice = nil
            type = "market"
        case .limit(let price):
            orderPrice = price
            type = "limit"
        case .stopMarket(let trigger):
            orderPrice = trigger
            type = "stop_market"
        case .takeProfitMarket(let trigger):
            orderPrice = trigger
            type = "take_market"
        }
        guard let conversionPrice = orderPrice ?? referencePrice ?? unitFree(instrument) else {
            return reject(intent, "no reference price to convert \(intent.quantity) into USD contracts")
        }
        let amount = instrument.venueAmount(
            forBase: intent.quantity, at: conversionPrice, reduceOnly: intent.reduceOnly)
        guard amount.raw > 0, amount >= instrument.minimumAmount else {
            return reject(
                intent,
                "\(intent.quantity) at \(conversionPrice) is \(amount), below the minimum \(instrument.minimumAmount)")
        }
        var params: [(String, String)] = [
            ("instrument_name", WireJSON.quoted(intent.symbol)), ("amount", amount.description),
            ("type", WireJSON.quoted(type)), ("label", WireJSON.quoted(intent.clientOrderID.rawValue)),
        ]
        switch intent.type {
        case .limit(let price): params.append(("price", price.description))
        case .stopMarket(let trigger), .takeProfitMarket(let trigger):
            params.append(("trigger_price", trigger.description))
            params.append(("trigger", "\"last_price\""))
        case .market: break
        }
        params.append(("reduce_only", intent.reduceOnly ? "true" : "false"))
        let method = intent.side == .buy ? "private/buy" : "private/sell"
        do {
            let result = try await session.call(method, params, requiresAuth: true)
            let order = try DeribitParse.order(try WireObject(result, context: "result")["order"] ?? .null)
            session.remember(orderID: order.orderID, for: intent.clientOrderID)
            if order.state == "rejected" { return reject(intent, order.cancelReason ?? "rejected by Deribit") }
            return .accepted(
                OrderAccepted(clientOrderID: intent.clientOrderID, venueOrderID: order.orderID, time: order.time))
        } catch let error as WireFormatError {
            throw ExchangeError(code: ExchangeError.malformedResponse, message: "\(method): \(error)")
        }
    }

    /// Known on this connection (its order stream told), else among the open orders.
    public func lookUp(_ intent: OrderIntent) async throws -> OrderLookup {
        if let known = session.orderID(for: intent.clientOrderID) { return .found(venueOrderID: known) }
        let open = try await openOrders(symbol: intent.symbol)
        guard let order = open.first(where: { $0.clientOrderID == intent.clientOrderID }) else { return .notOpen }
        return .found(venueOrderID: order.venueOrderID)
    }

    /// Deribit's own codes (10 000 and up) are refusals, except its throttle.
    public func refusal(_ error: ExchangeError, of intent: OrderIntent) -> OrderRejected.Kind? {
        error.code >= 10_000 && error.code != ExchangeError.deribitTooManyRequests
            ? error.rejectionKind(of: intent) : nil
    }

    /// A base-unit instrument needs no price to convert; returns a dummy one for it.
    private func unitFree(_ instrument: DeribitInstrument) -> Price? {
        instrument.unit == .base ? Price(integer: 1) : nil
    }

    private func reject(_ intent: OrderIntent, _ reason: String) -> OrderPlacement {
        logger.warning("order rejected", metadata: ["id": "\(intent.clientOrderID)", "reason": "\(reason)"])
        return .rejected(
            OrderRejected(clientOrderID: intent.clientOrderID, reason: reason, time: intent.time))
    }

    public func cancel(symbol: String, clientOrderID: ClientOrderID, conditional: Bool) async throws -> OrderCanceled {
        if let orderID = session.orderID(for: clientOrderID) {
            let result = try await session.call(
                "private/cancel", [("order_id", WireJSON.quoted(orderID))], requiresAuth: true)
            let order: DeribitOrder
            do {
                order = try DeribitParse.order(result)
            } catch {
                throw ExchangeError(code: ExchangeError.malformedResponse, message: "private/cancel: \(error)")
            }
            return OrderCanceled(
                clientOrderID: clientOrderID, reason: order.cancelReason ?? "cancelled", time: order.time)
        }
        // Not seen on this connection (placed before a restart): Deribit cancels by label too.
        let result = try await session.call(
            "private/cancel_by_label",
            [("label", WireJSON.quoted(clientOrderID.rawValue)), ("instrument_name", WireJSON.quoted(symbol))],
            requiresAuth: true)
        if case .number(let count) = result, count == "0" {
            throw ExchangeError(
                code: ExchangeError.deribitOrderNotFound, message: "no open order labelled \(clientOrderID)")
        }
        return OrderCanceled(
            clientOrderID: clientOrderID, reason: "cancelled by label", time: .milliseconds(wallClock()))
    }

    public func openOrders(symbol: String) async throws -> [OpenOrder] {
        let instrument = try await session.instrument(named: symbol)
        let result = try await session.call(
            "private/get_open_orders_by_instrument", [("instrument_name", WireJSON.quoted(symbol))], requiresAuth: true)
        guard case .array(let items) = result else {
            throw ExchangeError(code: ExchangeError.malformedResponse, message: "open orders: expected an array")
        }
        var orders: [OpenOrder] = []
        for item in items {
            do {
                orders.append(DeribitParse.openOrder(try DeribitParse.order(item), instrument: instrument))
            } catch {
                throw ExchangeError(code: ExchangeError.malformedResponse, message: "open orders: \(error)")
            }
        }
        return orders
    }

    public func positions(symbol: String?) async throws -> [PositionUpdate] {
        var currencies = self.currencies
        if let symbol { currencies = [try await session.instrument(named: symbol).settlementCurrency] }
        var positions: [PositionUpdate] = []
        for currency in currencies {
            let result = try await session.call(
                "private/get_positions", [("currency", WireJSON.quoted(currency)), ("kind", "\"future\"")],
                requiresAuth: true)
            guard case .array(let items) = result else {
                throw ExchangeError(code: ExchangeError.malformedResponse, message: "positions: expected an array")
            }
            for item in items {
                guard case .string(let name)? = (try? WireObject(item))?["instrument_name"] else {
                    throw ExchangeError(code: ExchangeError.malformedResponse, message: "positions: no instrument_name")
                }
                if let symbol, name != symbol { continue }
                let instrument = try await session.instrument(named: name)
                do {
                    let position = try DeribitParse.position(
                        item, instrument: instrument, time: .milliseconds(wallClock()))
                    if !position.quantity.isZero { positions.append(position) }
                } catch {
                    throw ExchangeError(code: ExchangeError.malformedResponse, message: "positions: \(error)")
                }
            }
        }
        return positions
    }

    public func account() async throws -> AccountSnapshot {
        let currency = currencies.first ?? "BTC"
        let result = try await session.call(
            "private/get_account_summary", [("currency", WireJSON.quoted(currency))], requiresAuth: true)
        do {
            return try DeribitParse.accountSummary(result, time: .milliseconds(wallClock()))
        } catch {
            throw ExchangeError(code: ExchangeError.malformedResponse, message: "account summary: \(error)")
        }
    }
}
