public import ReflexCore

extension DeribitParse {
    /// A `user.orders.…` order → the state change the engine tracks. Fills come from `user.trades`, each with its
    /// trade id; taking them from here too would count them twice.
    public static func orderEvents(_ order: DeribitOrder) -> [EngineEvent] {
        let id = clientOrderID(label: order.label, orderID: order.orderID)
        switch order.state {
        case "open", "untriggered":
            return [.orderAccepted(OrderAccepted(clientOrderID: id, venueOrderID: order.orderID, time: order.time))]
        case "cancelled":
            return [
                .orderCanceled(
                    OrderCanceled(clientOrderID: id, reason: order.cancelReason ?? "cancelled", time: order.time))
            ]
        case "rejected":
            return [
                .orderRejected(
                    OrderRejected(clientOrderID: id, reason: order.cancelReason ?? "rejected", time: order.time))
            ]
        default:
            return []  // filled (fills from user.trades), triggered (the market order reports on)
        }
    }

    /// A `user.trades.…` trade → a fill in base units, or `.liquidation` when Deribit liquidated us.
    public static func fillEvents(_ trade: DeribitTrade, instrument: DeribitInstrument) -> [EngineEvent] {
        let quantity = instrument.baseQuantity(forVenueAmount: trade.amount, at: trade.price)
        if trade.liquidation != nil {
            return [
                .liquidation(
                    Liquidation(
                        symbol: trade.instrument, side: trade.direction, price: trade.price, quantity: quantity,
                        time: trade.time))
            ]
        }
        return [
            .orderFilled(
                OrderFilled(
                    symbol: trade.instrument, clientOrderID: clientOrderID(label: trade.label, orderID: trade.orderID),
                    venueOrderID: trade.orderID, tradeID: trade.tradeID, side: trade.direction, price: trade.price,
                    quantity: quantity, isFinal: trade.orderState == "filled", fee: trade.fee ?? .zero,
                    feeAsset: trade.feeCurrency ?? instrument.settlementCurrency, time: trade.time))
        ]
    }

    /// One position object (`private/get_positions`, `user.changes.…`): signed, in base units.
    ///
    /// `size_currency` is Deribit's own base-currency size; without it the USD size is converted at the mark price.
    public static func position(_ data: JSONValue, instrument: DeribitInstrument, time: Timestamp)
        throws(WireFormatError) -> PositionUpdate
    {
        let object = try WireObject(data, context: "position")
        let size: Quantity = try object.decimal("size")
        let mark: Price? = try object.optionalDecimal("mark_price")
        let average: Price = try object.optionalDecimal("average_price") ?? .zero
        var quantity: Quantity
        if let base: Quantity = try object.optionalDecimal("size_currency") {
            quantity = base
        } else {
            quantity = instrument.baseQuantity(forVenueAmount: size.magnitude, at: mark ?? average)
            if size.raw < 0 { quantity = -quantity }
        }
        // Deribit's signs follow `size`; keep them consistent should `size_currency` come unsigned.
        if (size.raw < 0) != (quantity.raw < 0) && !quantity.isZero { quantity = -quantity }
        let liquidation: Price? = try object.optionalDecimal("estimated_liquidation_price")
        return PositionUpdate(
            symbol: try object.string("instrument_name"), quantity: quantity, entryPrice: average, markPrice: mark,
            liquidationPrice: liquidation.flatMap { $0.raw > 0 ? $0 : nil }, time: time)
    }

    /// The events of a `user.changes.…` notification: only its positions. Its trades and orders repeat what
    /// `user.trades` and `user.orders` already delivered.
    public static func changes(_ data: JSONValue, instrument: DeribitInstrument, time: Timestamp)
        throws(WireFormatError) -> [EngineEvent]
    {
        let object = try WireObject(data, context: "changes")
        guard object.has("positions") else { return [] }
        var events: [EngineEvent] = []
        for position in try object.array("positions") {
            events.append(.positionChanged(try self.position(position, instrument: instrument, time: time)))
        }
        return events
    }

    /// An open order in engine terms (quantity in base units at its limit or trigger price).
    public static func openOrder(_ order: DeribitOrder, instrument: DeribitInstrument) -> OpenOrder {
        let type: OrderType
        switch (order.orderType, order.price, order.triggerPrice) {
        case ("limit", let price?, _): type = .limit(price: price)
        case ("stop_market", _, let trigger?): type = .stopMarket(trigger: trigger)
        case ("take_market", _, let trigger?): type = .takeProfitMarket(trigger: trigger)
        default: type = .market
        }
        let reference = order.price ?? order.triggerPrice
        let base = { (amount: Quantity) in
            reference.map { instrument.baseQuantity(forVenueAmount: amount, at: $0) } ?? .zero
        }
        return OpenOrder(
            clientOrderID: clientOrderID(label: order.label, orderID: order.orderID), venueOrderID: order.orderID,
            symbol: order.instrument, side: order.direction, type: type, quantity: base(order.amount),
            filledQuantity: base(order.filledAmount), reduceOnly: order.reduceOnly, status: order.state)
    }

    /// `public/get_instrument` → the instrument with its unit: `instrument_type` `reversed` (inverse) trades in
    /// USD contracts of `contract_size`, `linear` in base units.
    public static func instrument(_ result: JSONValue) throws(WireFormatError) -> DeribitInstrument {
        let object = try WireObject(result, context: "instrument")
        let unit: QuantityUnit
        switch try object.optionalString("instrument_type") {
        case "reversed"?: unit = .usdContracts(contractSize: try object.decimal("contract_size"))
        case "linear"?: unit = .base
        case let other: throw WireFormatError("instrument_type: expected reversed or linear, got \(other ?? "nothing")")
        }
        return DeribitInstrument(
            name: try object.string("instrument_name"), unit: unit, tickSize: try object.decimal("tick_size"),
            minimumAmount: try object.decimal("min_trade_amount"),
            settlementCurrency: try object.string("settlement_currency"))
    }

    /// `private/get_account_summary` → account totals in the settlement currency.
    public static func accountSummary(_ result: JSONValue, time: Timestamp) throws(WireFormatError) -> AccountSnapshot {
        let object = try WireObject(result, context: "account")
        let balance: Money = try object.decimal("balance")
        let equity: Money = try object.decimal("equity")
        return AccountSnapshot(
            asset: try object.string("currency"), walletBalance: balance,
            marginBalance: try object.optionalDecimal("margin_balance") ?? equity, unrealizedPnL: equity - balance,
            availableBalance: try object.decimal("available_funds"),
            maintenanceMargin: try object.optionalDecimal("maintenance_margin") ?? .zero, time: time)
    }
}
