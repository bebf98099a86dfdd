public import ReflexCore

/// A Bybit REST response envelope: `{"retCode":0,"retMsg":"OK","result":{…},"retExtInfo":{},"time":…}` (spec B1).
public struct BybitEnvelope: Hashable, Sendable {
    /// 0 on success, else a Bybit error code (see `ExchangeError+Bybit`).
    public var retCode: Int
    /// `retMsg`.
    public var retMessage: String
    /// `result`, `.null` when absent.
    public var result: JSONValue
    /// Server time (ms), when given.
    public var time: Int64?
}

extension BybitParse {
    /// Reads the envelope of any REST response.
    public static func envelope(_ text: String) throws(WireFormatError) -> BybitEnvelope {
        let object = try WireObject(text: text)
        let code = try object.int64("retCode")
        return BybitEnvelope(
            retCode: Int(code), retMessage: try object.optionalString("retMsg") ?? "",
            result: object["result"] ?? .null, time: try object.optionalInt64("time"))
    }

    /// `result` of `POST /v5/order/create` or `/v5/order/cancel`: Bybit's order id.
    static func orderID(_ result: JSONValue) throws(WireFormatError) -> String {
        try WireObject(result, context: "result").string("orderId")
    }

    /// `result.list` of `GET /v5/order/realtime` as open orders.
    public static func openOrders(_ result: JSONValue) throws(WireFormatError) -> [OpenOrder] {
        var orders: [OpenOrder] = []
        for row in try WireObject(result, context: "result").objects("list") { orders.append(try openOrder(row)) }
        return orders
    }

    static func openOrder(_ row: WireObject) throws(WireFormatError) -> OpenOrder {
        let side = try side(try row.string("side"))
        let trigger: Price? = try row.optionalDecimal("triggerPrice")
        let type: OrderType
        if let trigger, !trigger.isZero {
            // Our conditional orders are `Market` with a trigger; which one is told by the direction the price must
            // move: a sell that waits for a fall (2) is a stop, a sell that waits for a rise (1) a take-profit.
            let direction = try row.optionalInt64("triggerDirection") ?? 0
            let fallsToTrigger = direction == 2
            type =
                (side == .sell) == fallsToTrigger ? .stopMarket(trigger: trigger) : .takeProfitMarket(trigger: trigger)
        } else {
            switch try row.string("orderType") {
            case "Market": type = .market
            case "Limit": type = .limit(price: try row.decimal("price"))
            case let other: throw WireFormatError("orderType: expected Market or Limit, got \"\(other)\"")
            }
        }
        return OpenOrder(
            clientOrderID: try clientOrderID(row), venueOrderID: try row.string("orderId"),
            symbol: try row.string("symbol"), side: side, type: type, quantity: try row.decimal("qty"),
            filledQuantity: try row.optionalDecimal("cumExecQty") ?? .zero,
            reduceOnly: (try? row.bool("reduceOnly")) ?? false, status: try row.string("orderStatus"))
    }

    /// `result.list` of `GET /v5/position/list`.
    public static func positions(_ result: JSONValue, now: Timestamp) throws(WireFormatError) -> [BybitPosition] {
        var positions: [BybitPosition] = []
        for row in try WireObject(result, context: "result").objects("list") {
            positions.append(try position(row, fallbackTime: now))
        }
        return positions
    }

    /// The first account of `GET /v5/account/wallet-balance`.
    public static func walletBalance(_ result: JSONValue, now: Timestamp) throws(WireFormatError) -> BybitWallet {
        guard let first = try WireObject(result, context: "result").objects("list").first else {
            throw WireFormatError("result.list: no account")
        }
        return try wallet(first, time: now)
    }

    /// The rules of `symbol` from `GET /v5/market/instruments-info` (`priceFilter`, `lotSizeFilter`).
    public static func instrumentRules(_ result: JSONValue, symbol: String) throws(WireFormatError) -> Instrument? {
        for row in try WireObject(result, context: "result").objects("list") {
            guard try row.string("symbol") == symbol else { continue }
            let price = try row.object("priceFilter")
            let lot = try row.object("lotSizeFilter")
            let step: Quantity = try lot.decimal("qtyStep")
            let minimum: Quantity = try lot.decimal("minOrderQty")
            return Instrument(
                symbol: symbol, tickSize: try price.decimal("tickSize"),
                minPrice: try price.optionalDecimal("minPrice") ?? .zero,
                maxPrice: try price.optionalDecimal("maxPrice") ?? .zero, stepSize: step, minQuantity: minimum,
                maxQuantity: try lot.optionalDecimal("maxOrderQty") ?? .zero, marketStepSize: step,
                marketMinQuantity: minimum, marketMaxQuantity: try lot.optionalDecimal("maxMktOrderQty"),
                minNotional: try lot.optionalDecimal("minNotionalValue") ?? .zero)
        }
        return nil
    }
}
