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
    let rules: VenueSymbolRules
    private let configuration: PaperVenueConfiguration
    private var matching: SimulatedVenue
    private(set) var account: IsolatedMarginAccount
    private var orders: [Int64: VenueOrder] = [:]
    private var orderIDsByClientID: [String: Int64] = [:]
    private var algoOrders: [Int64: VenueAlgoOrder] = [:]
    private var algoIDsByClientID: [String: Int64] = [:]
    /// Finished orders in completion order, so the oldest can be forgotten (bounded memory).
    private var finishedOrders: [Int64] = []
    private var finishedAlgoOrders: [Int64] = []
    private let finishedRetention = 10_000
    private var nextOrderID: Int64 = 4_000_000_001
    private var nextAlgoID: Int64 = 2_000_001
    private var nextTradeID: Int64 = 900_000_001
    private var nextLiquidationNumber = 1
    /// Mark price = last trade price.
    private(set) var markPrice: Price?
    private var tapeTime: Timestamp = .init(nanoseconds: 0)
    private var marginCallArmed = true
    private let userData: UserDataFeed
    private let webhooks: WebhookDispatcher?
    private let logger: Logger

    init(configuration: PaperVenueConfiguration, userData: UserDataFeed, webhooks: WebhookDispatcher?, logger: Logger) {
        self.configuration = configuration
        self.rules = configuration.rules
        self.matching = SimulatedVenue(symbol: configuration.symbol, configuration: configuration.matching)
        self.account = IsolatedMarginAccount(
            walletBalance: configuration.initialBalance, leverage: configuration.leverage,
            maintenanceMarginRate: configuration.rules.maintenanceMarginRate,
            pricePrecision: configuration.rules.pricePrecision)
        self.userData = userData
        self.webhooks = webhooks
        self.logger = logger
    }

    /// Exchange time in ms: the tape's, or the wall clock before the first trade.
    var now: Int64 {
        tapeTime.nanoseconds > 0 ? tapeTime.milliseconds : Int64(Date().timeIntervalSince1970 * 1000)
    }

    // MARK: The tape

    /// Matches one replayed trade: fills, triggers, margin calls and liquidation.
    func apply(_ tick: Tick) {
        markPrice = tick.price
        tapeTime = tick.time
        let events = matching.process(tick)
        for event in events {
            switch event {
            case .orderFilled(let fill): handleFill(fill)
            case .orderCanceled(let canceled): handleVenueCancel(canceled)
            default: break
            }
        }
        checkMargin(mark: tick.price)
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
                orderID: orderID, clientOrderID: algo.clientAlgoID, symbol: rules.symbol, side: algo.side,
                type: "MARKET", origType: algo.orderType, timeInForce: "GTC",
                quantity: algo.closePosition ? fill.quantity : (algo.quantity), price: .zero,
                stopPrice: algo.triggerPrice, reduceOnly: algo.reduceOnly, closePosition: algo.closePosition,
                time: fill.time.milliseconds)
            insert(order)
            publish(orderEvent(order, execution: nil, executionType: "NEW", eventTime: order.time))
            guard let filled = execute(orderID: orderID, fill: fill, isMaker: false) else { return }
            algo.status = .finished
            algo.executedQuantity = filled.executedQuantity
            algo.averagePrice = filled.averagePrice(precision: rules.pricePrecision)
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
        let realized = account.apply(side: fill.side, price: fill.price, quantity: fill.quantity, fee: fill.fee)
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
        publish(UserDataEvents.accountUpdate(account, rules: rules, mark: fill.price, eventTime: order.updateTime))
        postFill(order, execution: execution)
        postPosition(time: fill.time)
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

    private func checkMargin(mark: Price) {
        guard let ratio = account.marginRatio(mark: mark) else {
            marginCallArmed = true
            return
        }
        if ratio >= 1 {
            liquidate(mark: mark)
        } else if ratio >= configuration.marginCallThreshold {
            guard marginCallArmed else { return }
            marginCallArmed = false
            let maintenance = account.maintenanceMargin(mark: mark)
            publish(UserDataEvents.marginCall(account, rules: rules, mark: mark, eventTime: tapeTime.milliseconds))
            var data = JSONText()
            data.string("symbol", rules.symbol)
            data.decimal("marginRatio", UserDataEvents.ratio(ratio))
            data.decimal("markPrice", mark)
            data.decimal("maintenanceMargin", maintenance)
            data.int("time", tapeTime.milliseconds)
            webhooks?.post(type: "margin.warning", time: tapeTime, data: data.object)
        } else {
            marginCallArmed = true
        }
    }

    /// Closes the whole position at the mark price, as Binance's liquidation engine does, after canceling every
    /// open order of the symbol.
    private func liquidate(mark: Price) {
        let amount = account.positionAmount
        guard amount.raw != 0 else { return }
        logger.warning("liquidation", metadata: ["position": "\(amount)", "mark": "\(mark)"])
        cancelEverything(reason: "liquidation")
        let side: Side = amount.raw > 0 ? .sell : .buy
        let quantity = amount.magnitude
        let time = tapeTime.milliseconds
        let orderID = takeOrderID()
        var order = VenueOrder(
            orderID: orderID, clientOrderID: "autoclose-\(time)\(nextLiquidationNumber)", symbol: rules.symbol,
            side: side, type: "LIQUIDATION", timeInForce: "IOC", quantity: quantity, price: mark, reduceOnly: true,
            time: time)
        nextLiquidationNumber += 1
        let lost = account.liquidate()
        matching.setPosition(.zero)
        order.executedQuantity = quantity
        order.cumulativeQuote = Money.notional(mark, quantity)
        order.status = .filled
        insert(order)
        finishOrder(orderID)
        let execution = VenueExecution(
            tradeID: takeTradeID(), price: mark, quantity: quantity, fee: .zero, feeAsset: rules.quoteAsset,
            realizedProfit: -lost, isMaker: false)
        publish(orderEvent(order, execution: execution, executionType: "CALCULATED", eventTime: time))
        publish(UserDataEvents.accountUpdate(account, rules: rules, mark: mark, eventTime: time))
        var data = JSONText()
        data.string("symbol", rules.symbol)
        data.string("side", side.rawValue)
        data.decimal("price", mark)
        data.decimal("quantity", quantity)
        data.int("time", time)
        webhooks?.post(type: "liquidation", time: tapeTime, data: data.object)
        postPosition(time: tapeTime)
        marginCallArmed = true
    }

    private func cancelEverything(reason: String) {
        for (orderID, order) in orders.sorted(by: { $0.key < $1.key }) where order.status.isOpen {
            _ = try? cancelOrder(orderID: orderID, clientOrderID: nil)
        }
        for (algoID, algo) in algoOrders.sorted(by: { $0.key < $1.key }) where algo.status.isOpen {
            _ = try? cancelAlgoOrder(algoID: algoID, clientAlgoID: nil)
        }
        logger.debug("canceled all open orders", metadata: ["reason": "\(reason)"])
    }

    // MARK: Orders (REST)

    /// `POST /fapi/v1/order`.
    func placeOrder(_ request: NewOrderRequest) throws(BinanceAPIError) -> VenueOrder {
        if let id = request.clientOrderID, orderIDsByClientID[id] != nil { throw .duplicateClientID }
        let referencePrice = request.limitPrice ?? markPrice
        let position = account.positionAmount
        let reducing = position.raw != 0 && (position.raw > 0) != (request.side == .buy)
        if request.reduceOnly && !reducing { throw .reduceOnlyRejected }
        if let referencePrice {
            if !request.reduceOnly && Money.notional(referencePrice, request.quantity) < rules.minNotional {
                throw rules.minNotionalError
            }
            let increasing = reducing ? max(0, request.quantity.raw - abs(position.raw)) : request.quantity.raw
            let required = account.initialMargin(
                Money.notional(referencePrice, Quantity(raw: increasing, precision: request.quantity.precision)))
            if !request.reduceOnly && required > account.availableBalance(openOrderMargin: openOrderMargin()) {
                throw .marginInsufficient
            }
        }
        let orderID = takeOrderID()
        let clientOrderID = request.clientOrderID ?? "paper-\(orderID)"
        let intent = OrderIntent(
            clientOrderID: ClientOrderID("o\(orderID)"), symbol: rules.symbol, side: request.side,
            type: request.limitPrice.map { .limit(price: $0) } ?? .market, quantity: request.quantity,
            reduceOnly: request.reduceOnly, purpose: .entry, time: tapeTime)
        if case .orderRejected(let rejection) = matching.submit(intent, at: tapeTime).first {
            throw BinanceAPIError(code: -2010, msg: rejection.reason)
        }
        let order = VenueOrder(
            orderID: orderID, clientOrderID: clientOrderID, symbol: rules.symbol, side: request.side,
            type: request.limitPrice == nil ? "MARKET" : "LIMIT", timeInForce: request.timeInForce,
            quantity: request.quantity, price: request.limitPrice ?? .zero, reduceOnly: request.reduceOnly, time: now)
        insert(order)
        publish(orderEvent(order, execution: nil, executionType: "NEW", eventTime: order.time))
        postOrderUpdate(order)
        return order
    }

    /// `DELETE /fapi/v1/order`: `-2011` for an unknown or finished order.
    func cancelOrder(orderID: Int64?, clientOrderID: String?) throws(BinanceAPIError) -> VenueOrder {
        guard let id = orderID ?? clientOrderID.flatMap({ orderIDsByClientID[$0] }), var order = orders[id],
            order.status.isOpen
        else { throw .unknownOrder }
        _ = matching.cancel(ClientOrderID("o\(id)"), at: tapeTime)
        order.status = .canceled
        order.updateTime = now
        orders[id] = order
        finishOrder(id)
        publish(orderEvent(order, execution: nil, executionType: "CANCELED", eventTime: order.updateTime))
        postOrderUpdate(order)
        return order
    }

    /// `GET /fapi/v1/order`: `-2013` when unknown.
    func order(orderID: Int64?, clientOrderID: String?) throws(BinanceAPIError) -> VenueOrder {
        guard let id = orderID ?? clientOrderID.flatMap({ orderIDsByClientID[$0] }), let order = orders[id] else {
            throw .noSuchOrder
        }
        return order
    }

    /// `GET /fapi/v1/openOrders`, oldest first.
    func openOrders() -> [VenueOrder] {
        orders.values.filter { $0.status.isOpen }.sorted { $0.orderID < $1.orderID }
    }

    /// `DELETE /fapi/v1/allOpenOrders`.
    func cancelAllOpenOrders() {
        for order in openOrders() { _ = try? cancelOrder(orderID: order.orderID, clientOrderID: nil) }
    }

    // MARK: Algo orders (REST)

    /// `POST /fapi/v1/algoOrder`.
    func placeAlgoOrder(_ request: NewAlgoOrderRequest) throws(BinanceAPIError) -> VenueAlgoOrder {
        if let id = request.clientAlgoID, algoIDsByClientID[id] != nil { throw .duplicateClientID }
        if !request.closePosition && !request.reduceOnly, let quantity = request.quantity,
            Money.notional(request.triggerPrice, quantity) < rules.minNotional
        {
            throw rules.minNotionalError
        }
        if let mark = markPrice {
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
            clientOrderID: ClientOrderID("a\(algoID)"), symbol: rules.symbol, side: request.side,
            type: request.orderType == "STOP_MARKET"
                ? .stopMarket(trigger: trigger) : .takeProfitMarket(trigger: trigger),
            quantity: quantity, reduceOnly: request.reduceOnly || request.closePosition, purpose: .stopLoss,
            time: tapeTime)
        if case .orderRejected(let rejection) = matching.submit(intent, at: tapeTime).first {
            throw BinanceAPIError(code: -2010, msg: rejection.reason)
        }
        let algo = VenueAlgoOrder(
            algoID: algoID, clientAlgoID: request.clientAlgoID ?? "paperalgo-\(algoID)", symbol: rules.symbol,
            side: request.side, orderType: request.orderType, quantity: request.quantity ?? .zero,
            triggerPrice: trigger, reduceOnly: request.reduceOnly, closePosition: request.closePosition,
            createTime: now, updateTime: now)
        algoOrders[algoID] = algo
        algoIDsByClientID[algo.clientAlgoID] = algoID
        publish(algo.updateEvent(eventTime: algo.createTime))
        postAlgoUpdate(algo)
        return algo
    }

    /// `DELETE /fapi/v1/algoOrder`.
    func cancelAlgoOrder(algoID: Int64?, clientAlgoID: String?) throws(BinanceAPIError) -> VenueAlgoOrder {
        guard let id = algoID ?? clientAlgoID.flatMap({ algoIDsByClientID[$0] }), var algo = algoOrders[id],
            algo.status.isOpen
        else { throw .unknownOrder }
        _ = matching.cancel(ClientOrderID("a\(id)"), at: tapeTime)
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

    /// `GET /fapi/v1/openAlgoOrders`, oldest first.
    func openAlgoOrders() -> [VenueAlgoOrder] {
        algoOrders.values.filter { $0.status.isOpen }.sorted { $0.algoID < $1.algoID }
    }

    /// `POST /fapi/v1/leverage`.
    func setLeverage(_ leverage: Int) throws(BinanceAPIError) {
        guard leverage >= 1, leverage <= rules.maxLeverage else {
            throw BinanceAPIError(code: -4028, msg: "Leverage \(leverage) is not valid")
        }
        account.leverage = leverage
    }

    /// `POST /fapi/v1/positionMargin` with type 1: adds isolated margin to the open position and announces the
    /// new isolated wallet on the user stream.
    func addPositionMargin(_ amount: Money, time: Int64) throws(BinanceAPIError) {
        guard account.positionAmount.raw != 0 else {
            throw BinanceAPIError(code: -4047, msg: "There is no position to add margin to.")
        }
        guard account.addMargin(amount, openOrderMargin: openOrderMargin()) else {
            throw BinanceAPIError(code: -4051, msg: "Isolated balance insufficient.")
        }
        publish(
            UserDataEvents.accountUpdate(account, rules: rules, mark: markPrice ?? account.entryPrice, eventTime: time))
    }

    /// Initial margin held by open, non-reduce-only orders.
    func openOrderMargin() -> Money {
        var total = Money.zero
        for order in orders.values where order.status.isOpen && !order.reduceOnly {
            guard let price = order.type == "LIMIT" ? order.price : markPrice else { continue }
            total += account.initialMargin(Money.notional(price, order.quantity - order.executedQuantity))
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
        orderIDsByClientID[order.clientOrderID] = order.orderID
    }

    private func finishOrder(_ id: Int64) {
        finishedOrders.append(id)
        if finishedOrders.count > finishedRetention * 2 {
            for old in finishedOrders.prefix(finishedRetention) {
                if let order = orders.removeValue(forKey: old) { orderIDsByClientID[order.clientOrderID] = nil }
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
            order, execution: execution, executionType: executionType, pricePrecision: rules.pricePrecision,
            eventTime: eventTime)
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

    private func postPosition(time: Timestamp) {
        guard let webhooks else { return }
        let mark = markPrice ?? .zero
        var data = JSONText()
        data.string("symbol", rules.symbol)
        data.decimal("quantity", account.positionAmount)
        data.decimal("entryPrice", account.entryPrice)
        data.decimal("markPrice", mark)
        data.decimal("liquidationPrice", account.liquidationPrice(tickSize: rules.tickSize))
        data.decimal("marginRatio", UserDataEvents.ratio(account.marginRatio(mark: mark) ?? 0))
        data.int("time", time.milliseconds)
        webhooks.post(type: "position.updated", time: time, data: data.object)
    }
}
