import ReflexCore

/// An order on the paper venue as Binance reports it on `/fapi/v1/order` and in `ORDER_TRADE_UPDATE`.
struct VenueOrder: Sendable {
    enum Status: String, Sendable {
        case new = "NEW"
        case partiallyFilled = "PARTIALLY_FILLED"
        case filled = "FILLED"
        case canceled = "CANCELED"
        case expired = "EXPIRED"

        var isOpen: Bool { self == .new || self == .partiallyFilled }
    }

    let orderID: Int64
    let clientOrderID: String
    let symbol: String
    let side: Side
    /// `MARKET`, `LIMIT`, or `LIQUIDATION`; a triggered algo order is `MARKET` with `origType` `STOP_MARKET`.
    let type: String
    let origType: String
    let timeInForce: String
    let quantity: Quantity
    /// Limit price; zero for market orders.
    let price: Price
    let stopPrice: Price
    let reduceOnly: Bool
    let closePosition: Bool
    let time: Int64
    var status: Status = .new
    var executedQuantity: Quantity = .zero
    var cumulativeQuote: Money = .zero
    var updateTime: Int64

    init(
        orderID: Int64, clientOrderID: String, symbol: String, side: Side, type: String, origType: String? = nil,
        timeInForce: String, quantity: Quantity, price: Price, stopPrice: Price = .zero, reduceOnly: Bool,
        closePosition: Bool = false, time: Int64
    ) {
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.type = type
        self.origType = origType ?? type
        self.timeInForce = timeInForce
        self.quantity = quantity
        self.price = price
        self.stopPrice = stopPrice
        self.reduceOnly = reduceOnly
        self.closePosition = closePosition
        self.time = time
        self.updateTime = time
    }

    /// Average fill price, printed with at least `precision` decimals; `"0"` before the first fill.
    func averagePrice(precision: UInt8) -> Price {
        guard executedQuantity.raw > 0 else { return Price(raw: 0, precision: precision) }
        let raw = Int64(Int128(cumulativeQuote.raw) * Int128(FixedPoint.scale) / Int128(executedQuantity.raw))
        return Price(raw: raw, precision: max(precision, FixedPoint.minimalPrecision(raw: raw)))
    }

    /// The REST order object (A4 response, A6 query/open orders).
    func json(pricePrecision: UInt8, includeTime: Bool = true) -> String {
        var o = JSONText()
        o.int("orderId", orderID)
        o.string("symbol", symbol)
        o.string("status", status.rawValue)
        o.string("clientOrderId", clientOrderID)
        o.decimal("price", price)
        o.decimal("avgPrice", averagePrice(precision: pricePrecision))
        o.decimal("origQty", quantity)
        o.decimal("executedQty", executedQuantity)
        o.decimal("cumQty", executedQuantity)
        o.decimal("cumQuote", cumulativeQuote)
        o.string("timeInForce", timeInForce)
        o.string("type", type)
        o.bool("reduceOnly", reduceOnly)
        o.bool("closePosition", closePosition)
        o.string("side", side.rawValue)
        o.string("positionSide", "BOTH")
        o.decimal("stopPrice", stopPrice)
        o.string("workingType", "CONTRACT_PRICE")
        o.bool("priceProtect", false)
        o.string("origType", origType)
        o.string("priceMatch", "NONE")
        o.string("selfTradePreventionMode", "NONE")
        o.int("goodTillDate", 0)
        if includeTime { o.int("time", time) }
        o.int("updateTime", updateTime)
        return o.object
    }
}

/// One execution of a `VenueOrder`, for `ORDER_TRADE_UPDATE` and the `order.filled` webhook.
struct VenueExecution: Sendable {
    let tradeID: Int64
    let price: Price
    let quantity: Quantity
    let fee: Money
    let feeAsset: String
    let realizedProfit: Money
    let isMaker: Bool
}
