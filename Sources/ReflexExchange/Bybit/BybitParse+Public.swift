public import ReflexCore

extension BybitParse {
    /// Translates one public-stream message (spec B3).
    public static func publicMessage(_ text: String) -> BybitPublicMessage {
        do throws(WireFormatError) {
            let object = try WireObject(text: text)
            if let op = operation(object) {
                switch op {
                case "ping", "pong": return .pong
                case "subscribe":
                    let ack = acknowledgement(object)
                    return .subscribed(success: ack.success, message: ack.message)
                default: return .ignored("op \(op)")
                }
            }
            let topic = try object.string("topic")
            guard topic.hasPrefix("publicTrade.") else { return .ignored("topic \(topic)") }
            var trades: [BybitTrade] = []
            for entry in try object.objects("data") { trades.append(try streamTrade(entry)) }
            return .trades(trades)
        } catch {
            return .malformed(error.message)
        }
    }

    /// One `publicTrade` entry: `i` id, `T` time, `s` symbol, `S` taker side, `p` price, `v` size.
    static func streamTrade(_ entry: WireObject) throws(WireFormatError) -> BybitTrade {
        let quantity: Quantity = try entry.decimal("v")
        let price: Price = try entry.decimal("p")
        guard price.raw > 0, quantity.raw > 0 else { throw WireFormatError("trade with non-positive price or size") }
        return BybitTrade(
            id: try entry.string("i"), symbol: try entry.string("s"), time: .milliseconds(try entry.int64("T")),
            price: price, quantity: quantity, aggressor: try side(try entry.string("S")))
    }

    /// The `result.list` rows of `GET /v5/market/recent-trade` (`execId`, `time`, `symbol`, `side`, `price`, `size`),
    /// oldest first (Bybit lists newest first).
    public static func recentTrades(_ result: JSONValue) throws(WireFormatError) -> [BybitTrade] {
        var trades: [BybitTrade] = []
        for row in try WireObject(result, context: "result").objects("list") {
            let price: Price = try row.decimal("price")
            let quantity: Quantity = try row.decimal("size")
            trades.append(
                BybitTrade(
                    id: try row.string("execId"), symbol: try row.string("symbol"),
                    time: .milliseconds(try row.int64("time")), price: price, quantity: quantity,
                    aggressor: try side(try row.string("side"))))
        }
        // Newest first on the wire; reverse, then order by time keeping that order within one millisecond.
        return trades.reversed().enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
            .map(\.element)
    }
}
