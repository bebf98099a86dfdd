public import ReflexCore

/// Pure translations of Deribit JSON-RPC messages into wire types and engine events: no I/O, no clock.
public enum DeribitParse {
    /// Classifies one incoming message.
    public static func message(_ text: String) -> DeribitMessage {
        do throws(WireFormatError) {
            let object = try WireObject(text: text)
            if let id = try object.optionalInt64("id") {
                if object.has("error") {
                    let error = try object.object("error")
                    return .error(
                        id: id, code: Int(try error.int64("code")), message: try error.optionalString("message") ?? "")
                }
                return .result(id: id, result: object["result"] ?? .null)
            }
            if object.has("error") {
                let error = try object.object("error")
                return .error(
                    id: nil, code: Int(try error.int64("code")), message: try error.optionalString("message") ?? "")
            }
            let method = try object.string("method")
            let params = try object.object("params")
            switch method {
            case "subscription":
                return .notification(channel: try params.string("channel"), data: params["data"] ?? .null)
            case "heartbeat":
                return .heartbeat(type: try params.string("type"))
            default:
                throw WireFormatError("method: unexpected \"\(method)\"")
            }
        } catch {
            return .malformed(error.message)
        }
    }

    static func direction(_ text: String) throws(WireFormatError) -> Side {
        switch text {
        case "buy": return .buy
        case "sell": return .sell
        default: throw WireFormatError("direction: expected buy or sell, got \"\(text)\"")
        }
    }

    /// The channel's instrument: `trades.BTC-PERPETUAL.raw` → `BTC-PERPETUAL`.
    static func instrument(ofChannel channel: String) -> String? {
        let parts = channel.split(separator: ".")
        guard parts.count >= 3 else { return nil }
        return String(parts[parts.count - 2])
    }

    /// One trade object (spec C sample).
    static func trade(_ object: WireObject) throws(WireFormatError) -> DeribitTrade {
        DeribitTrade(
            tradeID: try object.string("trade_id"), sequence: try object.int64("trade_seq"),
            instrument: try object.string("instrument_name"), time: .milliseconds(try object.int64("timestamp")),
            price: try object.decimal("price"), amount: try object.decimal("amount"),
            direction: try direction(try object.string("direction")), orderID: try object.optionalString("order_id"),
            label: try object.optionalString("label"), fee: try object.optionalDecimal("fee"),
            feeCurrency: try object.optionalString("fee_currency"), orderState: try object.optionalString("state"),
            liquidation: try object.optionalString("liquidation"))
    }

    /// The trades of a `trades.…` / `user.trades.…` notification or a trade list result.
    public static func trades(_ data: JSONValue) throws(WireFormatError) -> [DeribitTrade] {
        guard case .array(let items) = data else { throw WireFormatError("data: expected an array of trades") }
        var trades: [DeribitTrade] = []
        for item in items { trades.append(try trade(try WireObject(item, context: "trade"))) }
        return trades
    }

    /// A public trade as an engine tick, its amount converted to base units at its own price.
    public static func tick(_ trade: DeribitTrade, instrument: DeribitInstrument) -> Tick {
        Tick(
            time: trade.time, price: trade.price,
            quantity: instrument.baseQuantity(forVenueAmount: trade.amount, at: trade.price),
            aggressor: trade.direction, tradeID: TradeIDHash.integerOrHash(trade.tradeID))
    }

    /// One order object.
    public static func order(_ data: JSONValue) throws(WireFormatError) -> DeribitOrder {
        let object = try WireObject(data, context: "order")
        // Market orders carry `"price": "market_price"`.
        var price: Price?
        if case .number? = object["price"] { price = try object.decimal("price") }
        let trigger: Price? = try object.optionalDecimal("trigger_price")
        var time = try object.optionalInt64("last_update_timestamp")
        if time == nil { time = try object.int64("creation_timestamp") }
        return DeribitOrder(
            orderID: try object.string("order_id"), label: try object.optionalString("label") ?? "",
            instrument: try object.string("instrument_name"), direction: try direction(try object.string("direction")),
            orderType: try object.string("order_type"), state: try object.string("order_state"),
            amount: try object.decimal("amount"), filledAmount: try object.optionalDecimal("filled_amount") ?? .zero,
            price: price, triggerPrice: trigger, reduceOnly: (try? object.bool("reduce_only")) ?? false,
            time: .milliseconds(time ?? 0), cancelReason: try object.optionalString("cancel_reason"))
    }

    /// The client id of an order or trade: its `label`, or a stand-in from Deribit's id for orders Reflex did not
    /// place, so every event still names an order.
    static func clientOrderID(label: String?, orderID: String?) -> ClientOrderID {
        if let label, !label.isEmpty { return ClientOrderID(label) }
        return ClientOrderID("deribit-\(orderID ?? "unknown")")
    }
}
