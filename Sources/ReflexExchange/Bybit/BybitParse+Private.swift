import ReflexCore

extension BybitParse {
    /// Translates one private-stream message (spec B3): `order`, `execution`, `position`, `wallet` topics (with or
    /// without the `.linear` suffix), and the `auth`, `subscribe` and ping answers.
    public static func privateMessage(_ text: String) -> BybitPrivateMessage {
        do throws(WireFormatError) {
            let object = try WireObject(text: text)
            if let op = operation(object) {
                let ack = acknowledgement(object)
                switch op {
                case "auth": return .authenticated(success: ack.success, message: ack.message)
                case "subscribe": return .subscribed(success: ack.success, message: ack.message)
                case "ping", "pong": return .pong
                default: return .ignored("op \(op)")
                }
            }
            let topic = try object.string("topic")
            let base = topic.split(separator: ".").first.map(String.init) ?? topic
            let entries = try object.objects("data")
            let fallbackTime = (try? object.int64("creationTime")).map(Timestamp.milliseconds)
            switch base {
            case "execution":
                var events: [EngineEvent] = []
                for entry in entries { events += try execution(entry) }
                return .events(events)
            case "order":
                var events: [EngineEvent] = []
                for entry in entries { events += try order(entry) }
                return .events(events)
            case "position":
                var events: [EngineEvent] = []
                for entry in entries {
                    events.append(.positionChanged(try position(entry, fallbackTime: fallbackTime).update))
                }
                return .events(events)
            case "wallet":
                guard let first = entries.first else { throw WireFormatError("data: empty wallet push") }
                return .wallet(try wallet(first, time: fallbackTime ?? .milliseconds(0)))
            default:
                return .ignored("topic \(topic)")
            }
        } catch {
            return .malformed(error.message)
        }
    }

    /// The client order id Reflex gave the order, or a stand-in built from Bybit's id for orders Reflex did not
    /// place (manual orders, liquidations), so every event still names an order.
    static func clientOrderID(_ entry: WireObject) throws(WireFormatError) -> ClientOrderID {
        if let link = try entry.optionalString("orderLinkId") { return ClientOrderID(link) }
        return ClientOrderID("bybit-\(try entry.string("orderId"))")
    }

    /// An `execution` entry: `Trade` → `.orderFilled`; `BustTrade` (liquidation) and `AdlTrade` (auto-deleveraging)
    /// → `.liquidation`, since in both the venue closed the position; funding, settlement and others → nothing.
    static func execution(_ entry: WireObject) throws(WireFormatError) -> [EngineEvent] {
        let execType = try entry.string("execType")
        let symbol = try entry.string("symbol")
        let side = try side(try entry.string("side"))
        let price: Price = try entry.decimal("execPrice")
        let quantity: Quantity = try entry.decimal("execQty")
        let time = Timestamp.milliseconds(try entry.int64("execTime"))
        switch execType {
        case "Trade":
            let leaves: Quantity? = try entry.optionalDecimal("leavesQty")
            let orderQuantity: Quantity? = try entry.optionalDecimal("orderQty")
            let cumulative = orderQuantity.flatMap { total in leaves.map { total - $0 } }
            return [
                .orderFilled(
                    OrderFilled(
                        symbol: symbol, clientOrderID: try clientOrderID(entry),
                        venueOrderID: try entry.optionalString("orderId"), tradeID: try entry.string("execId"),
                        side: side, price: price, quantity: quantity, cumulativeQuantity: cumulative,
                        isFinal: leaves?.isZero ?? false, fee: try entry.optionalDecimal("execFee") ?? .zero,
                        feeAsset: try entry.optionalString("feeCurrency") ?? "USDT", time: time))
            ]
        case "BustTrade", "AdlTrade":
            return [.liquidation(Liquidation(symbol: symbol, side: side, price: price, quantity: quantity, time: time))]
        default:
            return []
        }
    }

    /// An `order` entry → the state change the engine tracks. Fills are not taken from here: `execution` carries
    /// each one with its trade id, and taking both would count them twice.
    static func order(_ entry: WireObject) throws(WireFormatError) -> [EngineEvent] {
        let id = try clientOrderID(entry)
        let status = try entry.string("orderStatus")
        var milliseconds = try entry.optionalInt64("updatedTime")
        if milliseconds == nil { milliseconds = try entry.int64("createdTime") }
        let time = Timestamp.milliseconds(milliseconds ?? 0)
        switch status {
        case "New", "Untriggered":
            return [
                .orderAccepted(OrderAccepted(clientOrderID: id, venueOrderID: try entry.string("orderId"), time: time))
            ]
        case "Cancelled", "Deactivated", "PartiallyFilledCanceled":
            // `UNKNOWN` is Bybit's "not set".
            let cancelType = try entry.optionalString("cancelType")
            let reason = cancelType.flatMap { $0 == "UNKNOWN" ? nil : $0 } ?? status
            return [.orderCanceled(OrderCanceled(clientOrderID: id, reason: reason, time: time))]
        case "Rejected":
            let reason = try entry.optionalString("rejectReason") ?? "rejected by venue"
            return [.orderRejected(OrderRejected(clientOrderID: id, reason: reason, time: time))]
        default:
            // PartiallyFilled, Filled (fills come from `execution`), Triggered (the triggered order reports on).
            return []
        }
    }

    /// A position entry (stream or REST). `side` is `Buy`, `Sell` or `""` (flat); `size` is unsigned.
    static func position(_ entry: WireObject, fallbackTime: Timestamp?) throws(WireFormatError) -> BybitPosition {
        let size: Quantity = try entry.decimal("size")
        let sideText = try entry.optionalString("side")
        let signed: Quantity
        switch sideText {
        case "Buy"?: signed = size
        case "Sell"?: signed = -size
        case nil: signed = .zero
        case let other?: throw WireFormatError("side: expected Buy, Sell or empty, got \"\(other)\"")
        }
        // REST says `avgPrice`, the stream sample says `entryPrice`.
        var entryPrice: Price? = try entry.optionalDecimal("avgPrice")
        if entryPrice == nil { entryPrice = try entry.optionalDecimal("entryPrice") }
        let liquidation: Price? = try entry.optionalDecimal("liqPrice")
        let time =
            try entry.optionalInt64("updatedTime").map(Timestamp.milliseconds) ?? fallbackTime ?? .milliseconds(0)
        return BybitPosition(
            update: PositionUpdate(
                symbol: try entry.string("symbol"), quantity: signed, entryPrice: entryPrice ?? .zero,
                markPrice: try entry.optionalDecimal("markPrice"),
                liquidationPrice: liquidation.flatMap { $0.isZero ? nil : $0 }, time: time),
            maintenanceMargin: try entry.optionalDecimal("positionMM"))
    }

    /// A unified-account wallet entry (`wallet` push or `wallet-balance` row).
    static func wallet(_ entry: WireObject, time: Timestamp) throws(WireFormatError) -> BybitWallet {
        BybitWallet(
            maintenanceMarginRate: rate(entry, "accountMMRate"),
            walletBalance: try entry.optionalDecimal("totalWalletBalance") ?? .zero,
            marginBalance: try entry.optionalDecimal("totalMarginBalance") ?? .zero,
            unrealizedPnL: try entry.optionalDecimal("totalPerpUPL") ?? .zero,
            availableBalance: try entry.optionalDecimal("totalAvailableBalance") ?? .zero,
            maintenanceMargin: try entry.optionalDecimal("totalMaintenanceMargin") ?? .zero, time: time)
    }
}
