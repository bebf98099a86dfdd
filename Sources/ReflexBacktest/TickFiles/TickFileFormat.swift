/// The tick-file layouts Reflex reads. Detected from the first line, with or without a header.
public enum TickFileFormat: String, Sendable, Hashable, CaseIterable {
    /// Binance public aggTrades: `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker`.
    case binanceAggTrades
    /// Binance public futures trades: `id,price,qty,quote_qty,time,is_buyer_maker`.
    case binanceFuturesTrades
    /// Binance public spot trades (no header): `id,price,qty,quote_qty,time,is_buyer_maker,is_best_match`.
    case binanceSpotTrades
    /// Tardis trades: `exchange,symbol,timestamp,local_timestamp,id,side,price,amount` (µs).
    case tardis
    /// Reflex's own recording format; see ``ReflexTickFile``.
    case reflex

    /// Column indices of the fields every format has.
    struct Columns {
        var count: Int
        var id: Int
        var price: Int
        var quantity: Int
        var time: Int
        /// Either an `is_buyer_maker` boolean or a `buy`/`sell` side.
        var side: Int
        var sideIsBuyerMaker: Bool
    }

    var columns: Columns {
        switch self {
        case .binanceAggTrades:
            return Columns(count: 7, id: 0, price: 1, quantity: 2, time: 5, side: 6, sideIsBuyerMaker: true)
        case .binanceFuturesTrades:
            return Columns(count: 6, id: 0, price: 1, quantity: 2, time: 4, side: 5, sideIsBuyerMaker: true)
        case .binanceSpotTrades:
            return Columns(count: 7, id: 0, price: 1, quantity: 2, time: 4, side: 5, sideIsBuyerMaker: true)
        case .tardis:
            return Columns(count: 8, id: 4, price: 6, quantity: 7, time: 2, side: 5, sideIsBuyerMaker: false)
        case .reflex:
            return Columns(count: 5, id: 1, price: 2, quantity: 3, time: 0, side: 4, sideIsBuyerMaker: false)
        }
    }

    var columnNames: [String] {
        switch self {
        case .binanceAggTrades:
            return [
                "agg_trade_id", "price", "quantity", "first_trade_id", "last_trade_id", "transact_time",
                "is_buyer_maker",
            ]
        case .binanceFuturesTrades: return ["id", "price", "qty", "quote_qty", "time", "is_buyer_maker"]
        case .binanceSpotTrades: return ["id", "price", "qty", "quote_qty", "time", "is_buyer_maker", "is_best_match"]
        case .tardis: return ["exchange", "symbol", "timestamp", "local_timestamp", "id", "side", "price", "amount"]
        case .reflex: return ReflexTickFile.columns
        }
    }

    /// Recognises a header line or the shape of a first data line.
    /// - Returns: the format and whether `line` is a header (to be skipped).
    static func detect(firstLine line: String) -> (TickFileFormat, isHeader: Bool)? {
        if line.hasPrefix(ReflexTickFile.magic) { return (.reflex, true) }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmed(" \r\t\"")
        }
        for format in TickFileFormat.allCases where fields == format.columnNames { return (format, true) }
        // Headerless: judge by column count and which columns are booleans.
        func isBool(_ s: String) -> Bool { ["true", "false", "True", "False"].contains(s) }
        func isNumber(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { $0.isNumber || $0 == "." } }
        switch fields.count {
        case 6 where isBool(fields[5]) && isNumber(fields[4]):
            return (.binanceFuturesTrades, false)
        case 7 where isBool(fields[5]) && isBool(fields[6]):
            return (.binanceSpotTrades, false)
        case 7 where isBool(fields[6]) && isNumber(fields[5]):
            return (.binanceAggTrades, false)
        default:
            return nil
        }
    }
}

extension String {
    fileprivate func trimmed(_ set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
