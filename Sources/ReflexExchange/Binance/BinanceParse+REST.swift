import Foundation
public import ReflexCore

extension BinanceParse {
    /// The rules of `symbol` from an `exchangeInfo` answer; nil when the symbol is not listed.
    static func instrumentRules(_ info: BinanceExchangeInfo, symbol: String) -> Instrument? {
        guard let entry = info.symbols.first(where: { $0.symbol == symbol }) else { return nil }
        func filter(_ type: String) -> BinanceExchangeInfo.Filter? { entry.filters.first { $0.filterType == type } }
        let price = filter("PRICE_FILTER")
        let lot = filter("LOT_SIZE")
        let market = filter("MARKET_LOT_SIZE")
        return Instrument(
            symbol: symbol, tickSize: price?.tickSize ?? .zero, minPrice: price?.minPrice ?? .zero,
            maxPrice: price?.maxPrice ?? .zero, stepSize: lot?.stepSize ?? .zero, minQuantity: lot?.minQty ?? .zero,
            maxQuantity: lot?.maxQty ?? .zero, marketStepSize: market?.stepSize, marketMinQuantity: market?.minQty,
            marketMaxQuantity: market?.maxQty, minNotional: filter("MIN_NOTIONAL")?.notional ?? .zero)
    }

    /// Instrument rules from raw `exchangeInfo` JSON (for tests and tools).
    public static func instrumentRules(exchangeInfoJSON: String, symbol: String) -> Instrument? {
        guard let info = try? JSONDecoder().decode(BinanceExchangeInfo.self, from: Data(exchangeInfoJSON.utf8)) else {
            return nil
        }
        return instrumentRules(info, symbol: symbol)
    }

    static func orderType(_ name: String, price: Price?, trigger: Price?) -> OrderType? {
        switch name {
        case "MARKET": return .market
        case "LIMIT": return price.map { .limit(price: $0) }
        case "STOP_MARKET": return trigger.map { .stopMarket(trigger: $0) }
        case "TAKE_PROFIT_MARKET": return trigger.map { .takeProfitMarket(trigger: $0) }
        default: return nil
        }
    }

    static func openOrder(_ record: BinanceOrderRecord) -> OpenOrder? {
        guard let side = Side(rawValue: record.side),
            let type = orderType(record.type, price: record.price, trigger: record.stopPrice)
        else { return nil }
        return OpenOrder(
            clientOrderID: ClientOrderID(record.clientOrderId), venueOrderID: String(record.orderId),
            symbol: record.symbol, side: side, type: type, quantity: record.origQty ?? .zero,
            filledQuantity: record.executedQty ?? .zero, reduceOnly: record.reduceOnly ?? false, status: record.status)
    }

    static func openOrder(_ record: BinanceAlgoOrderRecord) -> OpenOrder? {
        guard let side = Side(rawValue: record.side),
            let type = orderType(record.orderType, price: nil, trigger: record.triggerPrice)
        else { return nil }
        return OpenOrder(
            clientOrderID: ClientOrderID(record.clientAlgoId), venueOrderID: String(record.algoId),
            symbol: record.symbol, side: side, type: type, quantity: record.quantity ?? .zero, filledQuantity: .zero,
            reduceOnly: record.reduceOnly ?? false, status: record.algoStatus)
    }

    static func position(_ record: BinancePositionRecord, now: Timestamp) -> PositionUpdate {
        var ratio: Double?
        if let maintenance = record.maintMargin, let wallet = record.isolatedWallet, wallet.raw > 0 {
            let balance = (wallet + (record.unRealizedProfit ?? .zero)).doubleValue
            ratio = balance > 0 ? maintenance.doubleValue / balance : 1
        }
        return PositionUpdate(
            symbol: record.symbol, quantity: record.positionAmt, entryPrice: record.entryPrice,
            markPrice: record.markPrice, liquidationPrice: record.liquidationPrice.flatMap { $0.isZero ? nil : $0 },
            marginRatio: ratio, time: record.updateTime.map { .milliseconds($0) } ?? now)
    }
}
