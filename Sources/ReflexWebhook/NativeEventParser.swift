public import ReflexCore

/// What a verified native body turned out to be.
public enum NativeDelivery: Hashable, Sendable {
    /// An event for the engine; `type` is the wire type, `data` the `data` object as received.
    case event(type: String, event: EngineEvent, data: JSONValue)
    /// A test delivery: answered, nothing applied.
    case ping
    /// A type this version does not know: answered 202, logged, not applied.
    case ignored(type: String)
}

/// Turns a verified native body (`{"type", "timestamp", "data"}`) into an engine event. Pure.
///
/// All or nothing: either every field is valid and one event comes out, or a ``WebhookRejection`` names the
/// first field at fault (`.malformed` when the body is not JSON, `.invalid` otherwise).
public struct NativeEventParser: Sendable {
    /// The wire types this parser knows.
    public static let knownTypes: [String] = [
        "order.filled", "order.updated", "position.updated", "margin.warning", "liquidation", "regime.shift", "ping",
    ]

    /// Accepted symbols; nil accepts any well-formed symbol.
    public var symbols: Set<String>?

    public init(symbols: Set<String>? = nil) { self.symbols = symbols }

    /// Parses and validates one body.
    public func parse(_ body: [UInt8]) throws(WebhookRejection) -> NativeDelivery {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw WebhookRejection(.malformed, "body is not JSON: \(error)")
        }
        let envelope = try EventFields(document, path: "")
        let type = try envelope.string("type", maxLength: 64)
        if type == "ping" { return .ping }
        guard Self.knownTypes.contains(type) else { return .ignored(type: type) }
        let timestamp = try envelope.string("timestamp", maxLength: 40)
        guard RFC3339.isValid(timestamp) else {
            throw WebhookRejection(.invalid, field: "timestamp", "must be an RFC 3339 date-time")
        }
        guard let data = document["data"], data != .null else {
            throw WebhookRejection(.invalid, field: "data", "missing")
        }
        let fields = try EventFields(data, path: "data")
        return .event(type: type, event: try event(type: type, fields), data: data)
    }

    private func event(type: String, _ data: EventFields) throws(WebhookRejection) -> EngineEvent {
        switch type {
        case "order.filled": return try orderFilled(data)
        case "order.updated": return try orderUpdated(data)
        case "position.updated":
            return .positionChanged(
                PositionUpdate(
                    symbol: try data.symbol("symbol", allowed: symbols),
                    quantity: try data.decimal("quantity", .any),
                    entryPrice: try data.decimal("entryPrice", .nonNegative),
                    markPrice: try data.optionalDecimal("markPrice", .positive),
                    liquidationPrice: try data.optionalDecimal("liquidationPrice", .nonNegative),
                    marginRatio: try data.optionalRatio("marginRatio"),
                    time: try data.milliseconds("time")))
        case "margin.warning":
            return .marginWarning(
                MarginWarning(
                    symbol: try data.symbol("symbol", allowed: symbols),
                    marginRatio: try data.ratio("marginRatio"),
                    markPrice: try data.decimal("markPrice", .positive),
                    maintenanceMargin: try data.decimal("maintenanceMargin", .nonNegative),
                    time: try data.milliseconds("time")))
        case "liquidation":
            return .liquidation(
                Liquidation(
                    symbol: try data.symbol("symbol", allowed: symbols),
                    side: try data.choice("side", Self.sides),
                    price: try data.decimal("price", .positive),
                    quantity: try data.decimal("quantity", .positive),
                    time: try data.milliseconds("time")))
        default:  // "regime.shift": knownTypes was checked by the caller.
            return .regimeShift(
                RegimeShift(
                    mode: try data.choice("mode", Self.modes),
                    source: .webhook,
                    reason: try data.optionalString("reason"),
                    time: try data.milliseconds("time"),
                    // One market, or every market when left out.
                    symbol: try data.optionalSymbol("symbol", allowed: symbols)))
        }
    }

    private func orderFilled(_ data: EventFields) throws(WebhookRejection) -> EngineEvent {
        let symbol = try data.symbol("symbol", allowed: symbols)
        let venueOrderID = try data.identifier("orderId")
        let clientOrderID = try data.identifier("clientOrderId")
        let tradeID = try data.identifier("tradeId")
        let side = try data.choice("side", Self.sides)
        let price: Price = try data.decimal("price", .positive)
        let quantity: Quantity = try data.decimal("quantity", .positive)
        let cumulative: Quantity = try data.decimal("cumulativeQuantity", .positive)
        guard cumulative >= quantity else {
            throw WebhookRejection(.invalid, field: data.name("cumulativeQuantity"), "must not be less than quantity")
        }
        let isFinal = try data.choice("status", ["PARTIALLY_FILLED": false, "FILLED": true])
        // Fees may be negative: maker rebates.
        let fee: Money = try data.decimal("fee", .any)
        let feeAsset = try data.string("feeAsset", maxLength: 16)
        guard EventFields.isWellFormedSymbol(feeAsset) else {
            throw WebhookRejection(.invalid, field: data.name("feeAsset"), "must be an upper-case asset such as USDT")
        }
        return .orderFilled(
            OrderFilled(
                symbol: symbol, clientOrderID: ClientOrderID(clientOrderID), venueOrderID: venueOrderID,
                tradeID: tradeID, side: side, price: price, quantity: quantity, cumulativeQuantity: cumulative,
                isFinal: isFinal, fee: fee, feeAsset: feeAsset, time: try data.milliseconds("time")))
    }

    private enum UpdateStatus {
        case accepted
        case canceled
        case rejected
    }

    private func orderUpdated(_ data: EventFields) throws(WebhookRejection) -> EngineEvent {
        _ = try data.symbol("symbol", allowed: symbols)
        let venueOrderID = try data.optionalIdentifier("orderId")
        let clientOrderID = ClientOrderID(try data.identifier("clientOrderId"))
        let statusText = try data.string("status", maxLength: 64)
        let status: UpdateStatus = try data.choice(
            "status", ["NEW": .accepted, "CANCELED": .canceled, "EXPIRED": .canceled, "REJECTED": .rejected])
        let reason = try data.optionalString("reason")
        let time = try data.milliseconds("time")
        switch status {
        case .accepted:
            return .orderAccepted(OrderAccepted(clientOrderID: clientOrderID, venueOrderID: venueOrderID, time: time))
        case .canceled:
            return .orderCanceled(OrderCanceled(clientOrderID: clientOrderID, reason: reason ?? statusText, time: time))
        case .rejected:
            return .orderRejected(OrderRejected(clientOrderID: clientOrderID, reason: reason ?? statusText, time: time))
        }
    }

    static let sides: [String: Side] = ["BUY": .buy, "SELL": .sell]
    static let modes: [String: TradingMode] = ["trend": .trend, "range": .range]
}
