import ReflexCore

/// The user-data stream payloads (A11), in Binance's field order.
enum UserDataEvents {
    /// `ORDER_TRADE_UPDATE`. `executionType` is `x`: NEW, CANCELED, EXPIRED, TRADE, or CALCULATED (liquidation).
    static func orderUpdate(
        _ order: VenueOrder, execution: VenueExecution?, executionType: String, pricePrecision: UInt8,
        eventTime: Int64
    ) -> String {
        var o = JSONText()
        o.string("s", order.symbol)
        o.string("c", order.clientOrderID)
        o.string("S", order.side.rawValue)
        o.string("o", order.type)
        o.string("f", order.timeInForce)
        o.decimal("q", order.quantity)
        o.decimal("p", order.price)
        o.decimal("ap", order.averagePrice(precision: pricePrecision))
        o.decimal("sp", order.stopPrice)
        o.string("x", executionType)
        o.string("X", order.status.rawValue)
        o.int("i", order.orderID)
        o.decimal("l", execution?.quantity ?? Quantity.zero)
        o.decimal("z", order.executedQuantity)
        o.decimal("L", execution?.price ?? Price.zero)
        if let execution, execution.fee.raw != 0 {
            // "will not push if no commission"
            o.string("N", execution.feeAsset)
            o.decimal("n", execution.fee)
        }
        o.int("T", eventTime)
        o.int("t", execution?.tradeID ?? 0)
        o.decimal("b", Money.zero)
        o.decimal("a", Money.zero)
        o.bool("m", execution?.isMaker ?? false)
        o.bool("R", order.reduceOnly)
        o.string("wt", "CONTRACT_PRICE")
        o.string("ot", order.origType)
        o.string("ps", "BOTH")
        o.bool("cp", order.closePosition)
        o.bool("pP", false)
        o.int("si", 0)
        o.int("ss", 0)
        o.decimal("rp", execution?.realizedProfit ?? Money.zero)
        o.string("V", "NONE")
        o.string("pm", "NONE")
        o.int("gtd", 0)
        var event = JSONText()
        event.string("e", "ORDER_TRADE_UPDATE")
        event.int("E", eventTime)
        event.int("T", eventTime)
        event.raw("o", o.object)
        return event.object
    }

    /// `ACCOUNT_UPDATE` with reason ORDER: the one USDT balance and the position of the symbol that changed.
    static func accountUpdate(_ account: FuturesAccount, symbol: String, mark: Price, eventTime: Int64) -> String {
        let isolated = account.position(symbol)
        var balance = JSONText()
        balance.string("a", account.asset)
        balance.decimal("wb", account.walletBalance)
        balance.decimal("cw", account.crossWalletBalance)
        balance.decimal("bc", Money.zero)
        var position = JSONText()
        position.string("s", symbol)
        position.decimal("pa", isolated.amount)
        position.decimal("ep", isolated.entryPrice)
        position.decimal("bep", isolated.entryPrice)
        position.decimal("cr", isolated.accumulatedRealized)
        position.decimal("up", isolated.unrealizedProfit(mark: mark))
        position.string("mt", "isolated")
        position.decimal("iw", isolated.isolatedWallet)
        position.string("ps", "BOTH")
        var data = JSONText()
        data.string("m", "ORDER")
        data.raw("B", JSONText.array([balance.object]))
        data.raw("P", JSONText.array([position.object]))
        var event = JSONText()
        event.string("e", "ACCOUNT_UPDATE")
        event.int("E", eventTime)
        event.int("T", eventTime)
        event.raw("a", data.object)
        return event.object
    }

    /// `MARGIN_CALL` for the symbol's isolated position.
    static func marginCall(_ isolated: IsolatedPosition, symbol: String, mark: Price, eventTime: Int64) -> String {
        var position = JSONText()
        position.string("s", symbol)
        position.string("ps", "BOTH")
        position.decimal("pa", isolated.amount)
        position.string("mt", "ISOLATED")
        position.decimal("iw", isolated.isolatedWallet)
        position.decimal("mp", mark)
        position.decimal("up", isolated.unrealizedProfit(mark: mark))
        position.decimal("mm", isolated.maintenanceMargin(mark: mark))
        var event = JSONText()
        event.string("e", "MARGIN_CALL")
        event.int("E", eventTime)
        event.raw("p", JSONText.array([position.object]))
        return event.object
    }

    /// A ratio printed with four decimals (`0.8123`), the way the webhook carries it.
    static func ratio(_ value: Double) -> String {
        guard value.isFinite else { return "999.0000" }
        let scaled = Int64((value * 10_000).rounded())
        return FixedPoint.format(raw: scaled * 10_000, precision: 4)
    }
}
