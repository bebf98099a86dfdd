import ReflexCore

/// A conditional order on Binance's Algo Service (`/fapi/v1/algoOrder`, A5): it waits for `triggerPrice`, then
/// becomes a market order on the matching engine.
struct VenueAlgoOrder: Sendable {
    enum Status: String, Sendable {
        case new = "NEW"
        case canceled = "CANCELED"
        case triggered = "TRIGGERED"
        case finished = "FINISHED"
        case rejected = "REJECTED"
        case expired = "EXPIRED"

        var isOpen: Bool { self == .new }
    }

    let algoID: Int64
    let clientAlgoID: String
    let symbol: String
    let side: Side
    /// `STOP_MARKET` or `TAKE_PROFIT_MARKET`.
    let orderType: String
    let quantity: Quantity
    let triggerPrice: Price
    let reduceOnly: Bool
    let closePosition: Bool
    let createTime: Int64
    var status: Status = .new
    var updateTime: Int64
    var triggerTime: Int64 = 0
    /// The order the trigger placed on the matching engine.
    var triggeredOrderID: Int64?
    var executedQuantity: Quantity = .zero
    var averagePrice: Price = .zero
    /// Why it was rejected at trigger time.
    var rejectReason: String = ""

    /// The REST algo-order object (A5 response).
    func json() -> String {
        var o = JSONText()
        o.int("algoId", algoID)
        o.string("clientAlgoId", clientAlgoID)
        o.string("algoType", "CONDITIONAL")
        o.string("orderType", orderType)
        o.string("symbol", symbol)
        o.string("side", side.rawValue)
        o.string("positionSide", "BOTH")
        o.string("timeInForce", "GTC")
        o.decimal("quantity", closePosition ? Quantity.zero : quantity)
        o.string("algoStatus", status.rawValue)
        o.decimal("triggerPrice", triggerPrice)
        o.decimal("price", Price.zero)
        o.null("icebergQuantity")
        o.string("selfTradePreventionMode", "NONE")
        o.string("workingType", "CONTRACT_PRICE")
        o.string("priceMatch", "NONE")
        o.bool("closePosition", closePosition)
        o.bool("priceProtect", false)
        o.bool("reduceOnly", reduceOnly)
        o.string("activatePrice", "")
        o.string("callbackRate", "")
        o.int("createTime", createTime)
        o.int("updateTime", updateTime)
        o.int("triggerTime", triggerTime)
        o.int("goodTillDate", 0)
        return o.object
    }

    /// The `ALGO_UPDATE` user-data event (A11).
    func updateEvent(eventTime: Int64) -> String {
        var inner = JSONText()
        inner.string("caid", clientAlgoID)
        inner.int("aid", algoID)
        inner.string("at", "CONDITIONAL")
        inner.string("o", orderType)
        inner.string("s", symbol)
        inner.string("S", side.rawValue)
        inner.string("ps", "BOTH")
        inner.string("f", "GTC")
        inner.decimal("q", closePosition ? Quantity.zero : quantity)
        inner.string("X", status.rawValue)
        inner.string("ai", triggeredOrderID.map(String.init) ?? "")
        inner.decimal("ap", averagePrice)
        inner.decimal("aq", executedQuantity)
        inner.string("act", triggeredOrderID == nil ? "0" : "MARKET")
        inner.decimal("tp", triggerPrice)
        inner.decimal("p", Price.zero)
        inner.string("V", "NONE")
        inner.string("wt", "CONTRACT_PRICE")
        inner.string("pm", "NONE")
        inner.bool("cp", closePosition)
        inner.bool("pP", false)
        inner.bool("R", reduceOnly)
        inner.int("tt", triggerTime)
        inner.int("gtd", 0)
        inner.string("rm", rejectReason)
        var o = JSONText()
        o.string("e", "ALGO_UPDATE")
        o.int("T", eventTime)
        o.int("E", eventTime)
        o.raw("o", inner.object)
        return o.object
    }
}
