import Foundation
public import ReflexCore

/// What a user-data-stream message turned out to be.
public enum BinanceUserDataMessage: Hashable, Sendable {
    /// Engine events, in the order the message lists them (possibly none, e.g. an algo order that triggered).
    case events([EngineEvent])
    /// The listen key expired: no more events until a new key is used.
    case listenKeyExpired
    /// A valid event Reflex does not act on (`ACCOUNT_CONFIG_UPDATE`, `TRADE_LITE`, …).
    case ignored(eventType: String)
    /// Not what Binance documents; count it and log it.
    case malformed(reason: String)
}

extension BinanceParse {
    /// Liquidation orders carry client ids `autoclose-…`; ADL closes carry `adl_autoclose` (spec A11).
    static func isForcedClose(clientOrderID: String) -> Bool {
        clientOrderID.hasPrefix("autoclose-") || clientOrderID.hasPrefix("adl_autoclose")
    }

    /// Translates one user-data-stream message into engine events.
    public static func userData(_ text: String) -> BinanceUserDataMessage {
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        do {
            guard let type = try decoder.decode(BinanceEventType.self, from: data).e else {
                return .malformed(reason: "no event type")
            }
            switch type {
            case "ORDER_TRADE_UPDATE":
                return .events(orderTradeUpdate(try decoder.decode(BinanceOrderTradeUpdate.self, from: data)))
            case "ALGO_UPDATE":
                return .events(algoUpdate(try decoder.decode(BinanceAlgoUpdate.self, from: data)))
            case "ACCOUNT_UPDATE":
                return .events(accountUpdate(try decoder.decode(BinanceAccountUpdate.self, from: data)))
            case "MARGIN_CALL":
                return .events(marginCall(try decoder.decode(BinanceMarginCall.self, from: data)))
            case "listenKeyExpired":
                return .listenKeyExpired
            default:
                return .ignored(eventType: type)
            }
        } catch {
            return .malformed(reason: String(describing: error))
        }
    }

    static func orderTradeUpdate(_ update: BinanceOrderTradeUpdate) -> [EngineEvent] {
        let order = update.order
        let id = ClientOrderID(order.clientOrderID)
        let time = Timestamp.milliseconds(order.tradeTime)
        guard let side = Side(rawValue: order.side) else { return [] }
        switch order.executionType {
        case "NEW":
            return [.orderAccepted(OrderAccepted(clientOrderID: id, venueOrderID: String(order.orderID), time: time))]
        case "TRADE", "CALCULATED":
            if order.executionType == "CALCULATED" || order.orderType == "LIQUIDATION"
                || isForcedClose(clientOrderID: order.clientOrderID)
            {
                return [
                    .liquidation(
                        Liquidation(
                            symbol: order.symbol, side: side, price: order.lastPrice, quantity: order.lastQuantity,
                            time: time))
                ]
            }
            return [
                .orderFilled(
                    OrderFilled(
                        symbol: order.symbol, clientOrderID: id, venueOrderID: String(order.orderID),
                        tradeID: String(order.tradeID), side: side, price: order.lastPrice,
                        quantity: order.lastQuantity, cumulativeQuantity: order.cumulativeQuantity,
                        isFinal: order.status == "FILLED", fee: order.commission ?? .zero,
                        feeAsset: order.commissionAsset ?? "USDT", time: time))
            ]
        case "CANCELED", "EXPIRED", "EXPIRED_IN_MATCH":
            return [.orderCanceled(OrderCanceled(clientOrderID: id, reason: order.executionType, time: time))]
        case "REJECTED":
            return [.orderRejected(OrderRejected(clientOrderID: id, reason: "rejected by venue", time: time))]
        default:
            return []  // AMENDMENT and future types change nothing the engine tracks
        }
    }

    static func algoUpdate(_ update: BinanceAlgoUpdate) -> [EngineEvent] {
        let order = update.order
        let id = ClientOrderID(order.clientAlgoID)
        let time = Timestamp.milliseconds(update.eventTime)
        switch order.status {
        case "NEW":
            return [.orderAccepted(OrderAccepted(clientOrderID: id, venueOrderID: String(order.algoID), time: time))]
        case "CANCELED", "EXPIRED":
            return [.orderCanceled(OrderCanceled(clientOrderID: id, reason: order.status, time: time))]
        case "REJECTED":
            let reason = order.failureReason.flatMap { $0.isEmpty ? nil : $0 } ?? "conditional order rejected"
            // Rejected when it triggered with nothing left to reduce: the position is not what the engine thinks.
            let reduceOnly =
                reason.range(of: "reduce only", options: .caseInsensitive) != nil
                || reason.range(of: "reduceonly", options: .caseInsensitive) != nil
            return [
                .orderRejected(
                    OrderRejected(
                        clientOrderID: id, reason: reason, kind: reduceOnly ? .contradictsPosition : .refused,
                        time: time))
            ]
        default:
            // TRIGGERING/TRIGGERED/FINISHED: the triggered order reports its own fills on ORDER_TRADE_UPDATE.
            return []
        }
    }

    static func accountUpdate(_ update: BinanceAccountUpdate) -> [EngineEvent] {
        let time = Timestamp.milliseconds(update.transactionTime ?? update.eventTime)
        return (update.update.positions ?? []).map { position in
            .positionChanged(
                PositionUpdate(
                    symbol: position.symbol, quantity: position.amount, entryPrice: position.entryPrice, time: time))
        }
    }

    static func marginCall(_ call: BinanceMarginCall) -> [EngineEvent] {
        let time = Timestamp.milliseconds(call.eventTime)
        return call.positions.map { position in
            // Margin ratio = maintenance margin / margin balance; the balance is the isolated wallet (or the cross
            // wallet) plus unrealised PnL. 1.0 or more means liquidation.
            let wallet =
                position.marginType?.lowercased() == "isolated"
                ? (position.isolatedWallet ?? .zero) : (call.crossWalletBalance ?? position.isolatedWallet ?? .zero)
            let balance = (wallet + position.unrealizedPnL).doubleValue
            let ratio = balance > 0 ? position.maintenanceMargin.doubleValue / balance : 1.0
            return .marginWarning(
                MarginWarning(
                    symbol: position.symbol, marginRatio: ratio, markPrice: position.markPrice,
                    maintenanceMargin: position.maintenanceMargin, time: time))
        }
    }
}
