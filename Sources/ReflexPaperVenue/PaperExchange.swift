import Foundation
import Logging
import ReflexBacktest
import ReflexCore

/// The paper venue's exchange: the backtester's `SimulatedVenue` for matching, wrapped in Binance's order and
/// algo-order bookkeeping and an isolated-margin account, with every change pushed to the user data stream and the
/// webhook receiver.
///
/// Exchange time is tape time: orders, fills and account events carry the time of the trade being replayed, so the
/// engine sees one consistent clock. Only request signing (`timestamp`, `recvWindow`) uses the wall clock.
actor PaperExchange {
    /// The traded symbols in the configuration's order (the order of listings across symbols).
    let symbols: [String]
    private let configuration: PaperVenueConfiguration
    /// Each symbol's matching engine, mark price and margin-call state.
    private var books: [String: SymbolBook]
    private(set) var account: FuturesAccount
    private var orders: [Int64: VenueOrder] = [:]
    /// Binance keeps client order ids per symbol: the same id may be live on two symbols.
    private var orderIDsByClientID: [SymbolClientID: Int64] = [:]
    private var algoOrders: [Int64: VenueAlgoOrder] = [:]
    /// Algo orders are cancelled and queried by id alone (no `symbol`), so their client ids are venue-wide.
    private var algoIDsByClientID: [String: Int64] = [:]
    /// Finished orders in completion order, so the oldest can be forgotten (bounded memory).
    private var finishedOrders: [Int64] = []
    private var finishedAlgoOrders: [Int64] = []
    private let finishedRetention = 10_000
    private var nextOrderID: Int64 = 4_000_000_001
    private var nextAlgoID: Int64 = 2_000_001
    private var nextTradeID: Int64 = 900_000_001
    private var nextLiquidationNumber = 1
    /// The merged tapes' clock: the time of the last trade of any symbol.
    private var tapeTime: Timestamp = .init(nanoseconds: 0)
    private let userData: UserDataFeed
    private let webhooks: WebhookDispatcher?
    private let logger: Logger

    private struct SymbolClientID: Hashable {
        let symbol: String
        let clientOrderID: String
    }

    init(configuration: PaperVenueConfiguration, userData: UserDataFeed, webhooks: WebhookDispatcher?, logger: Logger) {
        self.configuration = configuration
        self.symbols = configuration.markets.map(\.symbol)
        self.books = Dictionary(uniqueKeysWithValues: configuration.markets.map { ($0.symbol, SymbolBook(market: $0)) })
        self.account = FuturesAccount(
            walletBalance: configuration.initialBalance, leverage: configuration.leverage,
            symbols: configuration.markets.map(\.rules))
        self.userData = userData
        self.webhooks = webhooks
        self.logger = logger
    }

    /// Exchange time in ms: the tape's, or the wall clock before the first trade.
    var now: Int64 {
        tapeTime.nanoseconds > 0 ? tapeTime.milliseconds : Int64(Date().timeIntervalSince1970 * 1000)
    }

    /// The symbol's last trade price; nil before its first trade.
    func markPrice(_ symbol: String) -> Price? { books[symbol]?.markPrice }

    /// The symbol's rules; the REST layer only passes symbols the venue trades.
    func rules(_ symbol: String) -> VenueSymbolRules {
        books[symbol]?.rules ?? VenueSymbolRules.forSymbol(symbol)
    }

    // MARK: The tape

    /// Matches one replayed trade of `symbol`: fills, triggers, margin calls and liquidation of that symbol.
    func apply(_ tick: Tick, symbol: String) {
        guard books[symbol] != nil else { return }
        books[symbol]?.markPrice = tick.price
        tapeTime = tick.time
        // Mutated in place through the dictionary: a copy of the book would copy the engine's order arrays.
        let events = books[symbol]?.matching.process(tick) ?? []
        for event in events {
            switch event {
            case .orderFilled(let fill): handleFill(fill)
            case .orderCanceled(let canceled): handleVenueCancel(canceled)
            default: break
            }
        }
        checkMargin(symbol: symbol, mark: tick.price)
    }

    private func handleFill(_ fill: OrderFilled) {
        let internalID = fill.clientOrderID.rawValue
        guard let number = Int64(internalID.dropFirst()) else { return }
        if internalID.hasPrefix("a"), var algo = algoOrders[number] {
            // The trigger places a market order on the matching engine; it fills on the same trade.
            let orderID = takeOrderID()
            algo.status = .triggered
            algo.triggerTime = fill.time.milliseconds
            algo.updateTime = fill.time.milliseconds
            algo.triggeredOrderID = orderID
            algoOrders[number] = algo
            publish(algo.updateEvent(eventTime: fill.time.milliseconds))
            postAlgoUpdate(algo)
            let order = VenueOrder(
                orderID: orderID, clientOrderID: algo.clientAlgoID, symbol: algo.symbol, side: algo.side,
                type: "MARKET", origType: algo.orderType, timeInForce: "GTC",
                quantity: algo.closePosition ? fill.quantity : (algo.quantity), price: .zero,
                stopPrice: algo.triggerPrice, reduceOnly: algo.reduceOnly, closePosition: algo.closePosition,
                time: fill.time.milliseconds)
            insert(order)
            publish(orderEvent(order, execution: nil, executionType: "NEW", eventTime: order.time))
            guard let filled = execute(orderID: orderID, fill: fill, isMaker: false) else { return }
            algo.status = .finished
            algo.executedQuantity = filled.executedQuantity
            algo.averagePrice = filled.averagePrice(precision: rules(algo.symbol).pricePrecision)
            algoOrders[number] = algo
            finishAlgo(number)
            publish(algo.updateEvent(eventTime: fill.time.milliseconds))
            postAlgoUpdate(algo)
        } else if orders[number] != nil {
            let isMaker = orders[number]?.type == "LIMIT"
            execute(orderID: number, fill: fill, isMaker: isMaker)
        }
    }

    /// Books one execution on an order and the account, and reports it everywhere.
    @discardableResult
    private func execute(orderID: Int64, fill: OrderFilled, isMaker: Bool) -> VenueOrder? {
        guard var order = orders[orderID] else {
            // Cannot happen (every matching-engine order has a record); never let it take the venue down.
            logger.error("fill for an unknown order", metadata: ["orderId": "\(orderID)"])
            return nil
        }
        let realized = account.apply(
            symbol: order.symbol, side: fill.side, price: fill.price, quantity: fill.quantity, fee: fill.fee)
        order.executedQuantity += fill.quantity
        order.cumulativeQuote += Money.notional(fill.price, fill.quantity)
        order.status = fill.isFinal ? .filled : .partiallyFilled
        order.updateTime = fill.time.milliseconds
        orders[orderID] = order
        if !order.status.isOpen { finishOrder(orderID) }
        let execution = VenueExecution(
            tradeID: takeTradeID(), price: fill.price, quantity: fill.quantity, fee: fill.fee,
            feeAsset: fill.feeAsset, realizedProfit: realized, isMaker: isMaker)
        publish(orderEvent(order, execution: execution, executionType: "TRADE", eventTime: order.updateTime))
        publish(
            UserDataEvents.accountUpdate(
                account, symbol: order.symbol, mark: fill.price, eventTime: order.updateTime))
        postFill(order, execution: execution)
        postPosition(symbol: order.symbol, time: fill.time)
        return order
    }

    private func handleVenueCancel(_ canceled: OrderCanceled) {
        let internalID = canceled.clientOrderID.rawValue
        guard let number = Int64(internalID.dropFirst()) else { return }
        if internalID.hasPrefix("a"), var algo = algoOrders[number] {
            // A reduce-only trigger with nothing to reduce: Binance rejects it at trigger time.
            algo.status = .rejected
            algo.rejectReason = "Reduce Only reject"
            algo.triggerTime = canceled.time.milliseconds
            algo.updateTime = canceled.time.milliseconds
            algoOrders[number] = algo
            finishAlgo(number)
            publish(algo.updateEvent(eventTime: algo.updateTime))
            postAlgoUpdate(algo)
        } else if var order = orders[number] {
            order.status = .expired
            order.updateTime = canceled.time.milliseconds
            orders[number] = order
            finishOrder(number)
            publish(orderEvent(order, execution: nil, executionType: "EXPIRED", eventTime: order.updateTime))
            postOrderUpdate(order)
        }
    }

    // MARK: Margin

    /// Isolated margin: the ratio is the symbol's own position's (its maintenance margin over its isolated wallet
    /// plus unrealized PnL), so one symbol's loss never calls or liquidates another symbol's position.
    private func checkMargin(symbol: String, mark: Price) {
        let position = account.position(symbol)
        guard let ratio = position.marginRatio(mark: mark) else {
            books[symbol]?.marginCallArmed = true
            return
        }
        if ratio >= 1 {
            liquidate(symbol: symbol, mark: mark)
        } else if ratio >= configuration.marginCallThreshold {
            guard books[symbol]?.marginCallArmed == true else { return }
            books[symbol]?.marginCallArmed = false
            publish(
                UserDataEvents.marginCall(position, symbol: symbol, mark: mark, eventTime: tapeTime.milliseconds))
            var data = JSONText()
            data.string("symbol", symbol)
            data.decimal("marginRatio", UserDataEvents.ratio(ratio))
            data.decimal("markPrice", mark)
            data.decimal("maintenanceMargin", position.maintenanceMargin(mark: mark))
            data.int("time", tapeTime.milliseconds)
            webhooks?.post(type: "margin.warning", time: tapeTime, data: data.object)
        } else {
            books[symbol]?.marginCallArmed = true
        }
    }

    /// Closes the symbol's whole position at the mark price, as Binance's liquidation engine does, after canceling
    /// every open order of the symbol. Other symbols' positions and orders are untouched.
    private func liquidate(symbol: String, mark: Price) {
        let amount = account.position(symbol).amount
        guard amount.raw != 0 else { return }
        logger.warning(
            "liquidation", metadata: ["symbol": "\(symbol)", "position": "\(amount)", "mark": "\(mark)"])
        cancelEverything(symbol: symbol, reason: "liquidation")
        let rules = self.rules(symbol)
        let side: Side = amount.raw > 0 ? .sell : .buy
        let quantity = amount.magnitude
        let time = tapeTime.milliseconds
        let orderID = takeOrderID()
        var order = VenueOrder(
            orderID: orderID, clientOrderID: "autoclose-\(time)\(nextLiquidationNumber)", symbol: symbol,
            side: side, type: "LIQUIDATION", timeInForce: "IOC", quantity: quantity, price: mark, reduceOnly: true,
            time: time)
        nextLiquidationNumber += 1
        let lost = account.liquidate(symbol: symbol)
        books[symbol]?.matching.setPosition(.zero)
        order.executedQuantity = quantity
        order.cumulativeQuote = Money.notional(mark, quantity)
        order.status = .filled
        insert(order)
        finishOrder(orderID)
        let execution = VenueExecution(
            tradeID: takeTradeID(), price: mark, quantity: quantity, fee: .zero, feeAsset: rules.quoteAsset,
            realizedProfit: -lost, isMaker: false)
        publish(orderEvent(order, execution: execution, executionType: "CALCULATED", eventTime: time))
        publish(UserDataEvents.accountUpdate(account, symbol: symbol, mark: mark, eventTime: time))
        var data = JSONText()
        data.string("symbol", symbol)
        data.string("side", side.rawValue)
        data.decimal("price", mark)
        data.decimal("quantity", quantity)
        data.int("time", time)
        webhooks?.post(type: "liquidation", time: tapeTime, data: data.object)
        postPosition(symbol: symbol, time: tapeTime)
        books[symbol]?.marginCallArmed = true
    }

    private func cancelEverything(symbol: String, reason: String) {
        for (orderID, order) in orders.sorted(by: { $0.key < $1.key })
        where order.symbol == symbol && order.status.isOpen {
            _ = try? cancelOrder(symbol: symbol, orderID: orderID, clientOrderID: nil)
        }
        for (algoID, algo) in algoOrders.sorted(by: { $0.key < $1.key })
        where algo.symbol == symbol && algo.status.isOpen {
            _ = try? cancelAlgoOrder(algoID: algoID, clientAlgoID: nil)
        }
        logger.debug("canceled all open orders", metadata: ["symbol": "\(symbol)", "reason": "\(reason)"])
    }

    // MARK: Orders (REST)

    /// `POST /fapi/v1/order`.
    func placeOrder(_ request: NewOrderRequest) throws(BinanceAPIError) -> VenueOrder {
        let symbol = request.symbol
        guard let rules = books[symbol]?.rules else { throw .badSymbol }
        if let id = request.clientOrderID, orderIDsByClientID[SymbolClientID(symbol: symbol, clientOrderID: id)] != nil
        {
            throw .duplicateClientID
        }
        let referencePrice = request.limitPrice ?? books[symbol]?.markPrice
        let position = account.position(symbol)
        let reducing = position.amount.raw != 0 && (position.amount.raw > 0) != (request.side == .buy)
        if request.reduceOnly && !reducing { throw .reduceOnlyRejected }
        if let referencePrice {
            if !request.reduceOnly && Money.notional(referencePrice, request.quantity) < rules.minNotional {
                throw rules.minNotionalError
            }
            let increasing =
                reducing ? max(0, request.quantity.raw - abs(position.amount.raw)) : request.quantity.raw
            let required = position.initialMargin(
                Money.notional(referencePrice, Quantity(raw: increasing, precision: request.quantity.precision)))
            // One wallet: the free balance left by every symbol's positions and orders pays for this one.
            if !request.reduceOnly && required > account.availableBalance(openOrderMargin: openOrderMargin()) {
                throw .marginInsufficient
            }
        }
        let orderID = takeOrderID()
        let clientOrderID = request.clientOrderID ?? "paper-\(orderID)"
        let intent = OrderIntent(
            clientOrderID: ClientOrderID("o\(orderID)"), symbol: symbol, side: request.side,
            type: request.limitPrice.map { .limit(price: $0) } ?? .market, quantity: request.quantity,
            reduceOnly: request.reduceOnly, purpose: .entry, time: tapeTime)
        if case .orderRejected(let rejection) = books[symbol]?.matching.submit(intent, at: tapeTime).first {
            throw BinanceAPIError(code: -2010, msg: rejection.reason)
        }
        let order = VenueOrder(
            orderID: orderID, clientOrderID: clientOrderID, symbol: symbol, side: request.side,
            type: request.limitPrice == nil ? "MARKET" : "LIMIT", timeInForce: request.timeInForce,
            quantity: request.quantity, price: request.limitPrice ?? .zero, reduceOnly: request.reduceOnly, time: now)
        insert(order)
        publish(orderEvent(order, execution: nil, executionType: "NEW", eventTime: order.time))
        postOrderUpdate(order)
        return order
    }

    /// The order `orderID` (or `clientOrderID`) of `symbol`; another symbol's order is not found, as on Binance.
    private func orderID(symbol: String, orderID: Int64?, clientOrderID: String?) -> Int64? {
        guard
            let id = orderID
                ?? clientOrderID.flatMap({ orderIDsByClientID[SymbolClientID(symbol: symbol, clientOrderID: $0)] }),
            orders[id]?.symbol == symbol
        else { return nil }
        return id
    }

    /// `DELETE /fapi/v1/order`: `-2011` for an unknown or finished order.
    func cancelOrder(symbol: String, orderID: Int64?, clientOrderID: String?) throws(BinanceAPIError) -> VenueOrder {
        guard let id = self.orderID(symbol: symbol, orderID: orderID, clientOrderID: clientOrderID),
            var order = orders[id], order.status.isOpen
        else { throw .unknownOrder }
        _ = books[symbol]?.matching.cancel(ClientOrderID("o\(id)"), at: tapeTime)
        order.status = .canceled
        order.updateTime = now
        orders[id] = order
        finishOrder(id)
        publish(orderEvent(order, execution: nil, executionType: "CANCELED", eventTime: order.updateTime))
        postOrderUpdate(order)
        return order
    }

    /// `GET /fapi/v1/order`: `-2013` when unknown.
    func order(symbol: String, orderID: Int64?, clientOrderID: String?) throws(BinanceAPIError) -> VenueOrder {
        guard let id = self.orderID(symbol: symbol, orderID: orderID, clientOrderID: clientOrderID),
            let order = orders[id]
        else { throw .noSuchOrder }
        return order
    }

    /// `GET /fapi/v1/openOrders`, oldest first: the symbol's, or every symbol's when nil.
    func openOrders(symbol: String? = nil) -> [VenueOrder] {
        orders.values.filter { $0.status.isOpen && (symbol == nil || $0.symbol == symbol) }
            .sorted { $0.orderID < $1.orderID }
    }

    /// `DELETE /fapi/v1/allOpenOrders`: the symbol's open orders.
    func cancelAllOpenOrders(symbol: String) {
        for order in openOrders(symbol: symbol) {
            _ = try? cancelOrder(symbol: symbol, orderID: order.orderID, clientOrderID: nil)
        }
    }

    // MARK: Algo orders (REST)

    /// `POST /fapi/v1/algoOrder`.
    func placeAlgoOrder(_ request: NewAlgoOrderRequest) throws(BinanceAPIError) -> VenueAlgoOrder {
        let symbol = request.symbol
        guard let rules = books[symbol]?.rules else { throw .badSymbol }
        if let id = request.clientAlgoID, algoIDsByClientID[id] != nil { throw .duplicateClientID }
        if !request.closePosition && !request.reduceOnly, let quantity = request.quantity,
            Money.notional(request.triggerPrice, quantity) < rules.minNotional
        {
            throw rules.minNotionalError
        }
        if let mark = books[symbol]?.markPrice {
            // Binance refuses a trigger that the last price has already crossed.
            let stop = request.orderType == "STOP_MARKET"
            let crossed =
                (stop && request.side == .buy && mark >= request.triggerPrice)
                || (stop && request.side == .sell && mark <= request.triggerPrice)
                || (!stop && request.side == .buy && mark <= request.triggerPrice)
                || (!stop && request.side == .sell && mark >= request.triggerPrice)
            if crossed { throw BinanceAPIError(code: -2021, msg: "Order would immediately trigger.") }
        }
        let algoID = nextAlgoID
        nextAlgoID += 1
        let quantity = request.quantity ?? rules.maxQuantity
        let trigger = request.triggerPrice
        let intent = OrderIntent(
            clientOrderID: ClientOrderID("a\(algoID)"), symbol: symbol, side: request.side,
            type: request.orderType == "STOP_MARKET"
                ? .stopMarket(trigger: trigger) : .takeProfitMarket(trigger: trigger),
            quantity: quantity, reduceOnly: request.reduceOnly || request.closePosition, purpose: .stopLoss,
            time: tapeTime)
        if case .orderRejected(let rejection) = books[symbol]?.matching.submit(intent, at: tapeTime).first {
            throw BinanceAPIError(code: -2010, msg: rejection.reason)
        }
        let algo = VenueAlgoOrder(
            algoID: algoID, clientAlgoID: request.clientAlgoID ?? "paperalgo-\(algoID)", symbol: symbol,
            side: request.side, orderType: request.orderType, quantity: request.quantity ?? .zero,
            triggerPrice: trigger, reduceOnly: request.reduceOnly, closePosition: request.closePosition,
            createTime: now, updateTime: now)
        algoOrders[algoID] = algo
        algoIDsByClientID[algo.clientAlgoID] = algoID
        publish(algo.updateEvent(eventTime: algo.createTime))
        postAlgoUpdate(algo)
        return algo
    }

    /// `DELETE /fapi/v1/algoOrder` (by id alone, whatever the symbol, as Binance's endpoint takes no symbol).
    func cancelAlgoOrder(algoID: Int64?, clientAlgoID: String?) throws(BinanceAPIError) -> VenueAlgoOrder {
        guard let id = algoID ?? clientAlgoID.flatMap({ algoIDsByClientID[$0] }), var algo = algoOrders[id],
            algo.status.isOpen
        else { throw .unknownOrder }
        _ = books[algo.symbol]?.matching.cancel(ClientOrderID("a\(id)"), at: tapeTime)
        algo.status = .canceled
        algo.updateTime = now
        algoOrders[id] = algo
        finishAlgo(id)
        publish(algo.updateEvent(eventTime: algo.updateTime))
        postAlgoUpdate(algo)
        return algo
    }

    /// `GET /fapi/v1/algoOrder`.
    func algoOrder(algoID: Int64?, clientAlgoID: String?) throws(BinanceAPIError) -> VenueAlgoOrder {
        guard let id = algoID ?? clientAlgoID.flatMap({ algoIDsByClientID[$0] }), let algo = algoOrders[id] else {
            throw .noSuchOrder
        }
        return algo
    }

    /// `GET /fapi/v1/openAlgoOrders`, oldest first: the symbol's, or every symbol's when nil.
    func openAlgoOrders(symbol: String? = nil) -> [VenueAlgoOrder] {
        algoOrders.values.filter { $0.status.isOpen && (symbol == nil || $0.symbol == symbol) }
            .sorted { $0.algoID < $1.algoID }
    }

    /// `POST /fapi/v1/leverage`: the symbol's leverage (Binance keeps one per symbol).
    func setLeverage(_ leverage: Int, symbol: String) throws(BinanceAPIError) {
        guard let rules = books[symbol]?.rules else { throw .badSymbol }
        guard leverage >= 1, leverage <= rules.maxLeverage else {
            throw BinanceAPIError(code: -4028, msg: "Leverage \(leverage) is not valid")
        }
        account.setLeverage(leverage, symbol: symbol)
    }

    /// `POST /fapi/v1/positionMargin` with type 1: adds isolated margin to the symbol's open position and
    /// announces the new isolated wallet on the user stream.
    func addPositionMargin(_ amount: Money, symbol: String, time: Int64) throws(BinanceAPIError) {
        guard books[symbol] != nil else { throw .badSymbol }
        let position = account.position(symbol)
        guard position.amount.raw != 0 else {
            throw BinanceAPIError(code: -4047, msg: "There is no position to add margin to.")
        }
        guard account.addMargin(amount, symbol: symbol, openOrderMargin: openOrderMargin()) else {
            throw BinanceAPIError(code: -4051, msg: "Isolated balance insufficient.")
        }
        let mark = books[symbol]?.markPrice ?? position.entryPrice
        publish(UserDataEvents.accountUpdate(account, symbol: symbol, mark: mark, eventTime: time))
    }

    /// Initial margin held by open, non-reduce-only orders: the symbol's, or every symbol's when nil. Each order
    /// is priced at its limit, a market order at its symbol's mark, at its symbol's leverage.
    func openOrderMargin(symbol: String? = nil) -> Money {
        var total = Money.zero
        for order in orders.values
        where order.status.isOpen && !order.reduceOnly && (symbol == nil || order.symbol == symbol) {
            guard let price = order.type == "LIMIT" ? order.price : books[order.symbol]?.markPrice else { continue }
            total += account.position(order.symbol).initialMargin(
                Money.notional(price, order.quantity - order.executedQuantity))
        }
        return total
    }

    // MARK: Bookkeeping

    private func takeOrderID() -> Int64 {
        defer { nextOrderID += 1 }
        return nextOrderID
    }

    private func takeTradeID() -> Int64 {
        defer { nextTradeID += 1 }
        return nextTradeID
    }

    private func insert(_ order: VenueOrder) {
        orders[order.orderID] = order
        orderIDsByClientID[SymbolClientID(symbol: order.symbol, clientOrderID: order.clientOrderID)] = order.orderID
    }

    private func finishOrder(_ id: Int64) {
        finishedOrders.append(id)
        if finishedOrders.count > finishedRetention * 2 {
            for old in finishedOrders.prefix(finishedRetention) {
                if let order = orders.removeValue(forKey: old) {
                    orderIDsByClientID[SymbolClientID(symbol: order.symbol, clientOrderID: order.clientOrderID)] = nil
                }
            }
            finishedOrders.removeFirst(finishedRetention)
        }
    }

    private func finishAlgo(_ id: Int64) {
        finishedAlgoOrders.append(id)
        if finishedAlgoOrders.count > finishedRetention * 2 {
            for old in finishedAlgoOrders.prefix(finishedRetention) {
                if let algo = algoOrders.removeValue(forKey: old) { algoIDsByClientID[algo.clientAlgoID] = nil }
            }
            finishedAlgoOrders.removeFirst(finishedRetention)
        }
    }

    private func publish(_ event: String) { userData.publish(event) }

    private func orderEvent(
        _ order: VenueOrder, execution: VenueExecution?, executionType: String, eventTime: Int64
    ) -> String {
        UserDataEvents.orderUpdate(
            order, execution: execution, executionType: executionType,
            pricePrecision: rules(order.symbol).pricePrecision, eventTime: eventTime)
    }

    // MARK: Webhooks

    private func postFill(_ order: VenueOrder, execution: VenueExecution) {
        guard let webhooks else { return }
        var data = JSONText()
        data.string("symbol", order.symbol)
        data.int("orderId", order.orderID)
        data.string("clientOrderId", order.clientOrderID)
        data.int("tradeId", execution.tradeID)
        data.string("side", order.side.rawValue)
        data.decimal("price", execution.price)
        data.decimal("quantity", execution.quantity)
        data.decimal("cumulativeQuantity", order.executedQuantity)
        data.string("status", order.status == .filled ? "FILLED" : "PARTIALLY_FILLED")
        data.decimal("fee", execution.fee)
        data.string("feeAsset", execution.feeAsset)
        data.decimal("realizedProfit", execution.realizedProfit)
        data.int("time", order.updateTime)
        webhooks.post(type: "order.filled", time: .milliseconds(order.updateTime), data: data.object)
    }

    /// `order.updated` carries the states without a fill (NEW, CANCELED, EXPIRED, REJECTED); fills travel as
    /// `order.filled`, so FILLED / PARTIALLY_FILLED are not posted twice.
    private func postOrderUpdate(_ order: VenueOrder) {
        guard let webhooks, [.new, .canceled, .expired].contains(order.status) else { return }
        var data = JSONText()
        data.string("symbol", order.symbol)
        data.int("orderId", order.orderID)
        data.string("clientOrderId", order.clientOrderID)
        data.string("side", order.side.rawValue)
        data.string("type", order.origType)
        data.string("status", order.status.rawValue)
        data.decimal("price", order.price)
        data.decimal("quantity", order.quantity)
        data.decimal("cumulativeQuantity", order.executedQuantity)
        data.int("time", order.updateTime)
        webhooks.post(type: "order.updated", time: .milliseconds(order.updateTime), data: data.object)
    }

    /// As for plain orders; TRIGGERED / FINISHED are followed by the triggered order's own fill.
    private func postAlgoUpdate(_ algo: VenueAlgoOrder) {
        guard let webhooks, [.new, .canceled, .rejected, .expired].contains(algo.status) else { return }
        var data = JSONText()
        data.string("symbol", algo.symbol)
        data.int("algoId", algo.algoID)
        data.string("clientOrderId", algo.clientAlgoID)
        data.string("side", algo.side.rawValue)
        data.string("type", algo.orderType)
        data.string("status", algo.status.rawValue)
        data.decimal("triggerPrice", algo.triggerPrice)
        data.decimal("quantity", algo.quantity)
        data.bool("reduceOnly", algo.reduceOnly)
        data.bool("closePosition", algo.closePosition)
        data.int("time", algo.updateTime)
        webhooks.post(type: "order.updated", time: .milliseconds(algo.updateTime), data: data.object)
    }

    private func postPosition(symbol: String, time: Timestamp) {
        guard let webhooks else { return }
        let mark = books[symbol]?.markPrice ?? .zero
        let position = account.position(symbol)
        var data = JSONText()
        data.string("symbol", symbol)
        data.decimal("quantity", position.amount)
        data.decimal("entryPrice", position.entryPrice)
        data.decimal("markPrice", mark)
        data.decimal("liquidationPrice", position.liquidationPrice(tickSize: rules(symbol).tickSize))
        data.decimal("marginRatio", UserDataEvents.ratio(position.marginRatio(mark: mark) ?? 0))
        data.int("time", time.milliseconds)
        webhooks.post(type: "position.updated", time: time, data: data.object)
    }
}
