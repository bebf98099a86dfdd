import Foundation
import ReflexCore

/// Temporary reader for Binance trades / aggTrades CSV files, until `TickFileReader` lands in `ReflexBacktest`
/// (then this file goes). Keeps price and quantity text exactly as in the file.
final class TradesCSVStandIn {
    private let lines: [Substring]
    private var index = 0
    private var columns: (id: Int, price: Int, quantity: Int, time: Int, buyerIsMaker: Int)
    let symbol: String?

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline)
        // Trades: id,price,qty,quote_qty,time,is_buyer_maker; aggTrades: agg_trade_id,price,quantity,first,last,time,m.
        columns = (0, 1, 2, 4, 5)
        if let first = lines.first, first.first?.isNumber == false {
            let header = first.split(separator: ",").map(String.init)
            if header.count >= 7 { columns = (0, 1, 2, 5, 6) }
            lines.removeFirst()
        } else if let first = lines.first, first.split(separator: ",").count >= 7 {
            columns = (0, 1, 2, 5, 6)
        }
        self.lines = lines
        let name = URL(fileURLWithPath: path).lastPathComponent
        let prefix = name.split(separator: "-").first.map(String.init) ?? ""
        symbol = name.contains("-") && !prefix.isEmpty && prefix.allSatisfy({ $0.isUppercase || $0.isNumber })
            ? prefix : nil
    }

    func nextTick() throws -> Tick? {
        while index < lines.count {
            let fields = lines[index].split(separator: ",", omittingEmptySubsequences: false)
            index += 1
            let needed = max(columns.id, columns.price, columns.quantity, columns.time, columns.buyerIsMaker)
            guard fields.count > needed, let id = Int64(fields[columns.id]), let price = Price(fields[columns.price]),
                let quantity = Quantity(fields[columns.quantity]), let time = Int64(fields[columns.time])
            else { throw TapeError.badLine(index + 1) }
            let buyerIsMaker = fields[columns.buyerIsMaker].lowercased() == "true"
            return Tick(
                time: .milliseconds(time), price: price, quantity: quantity, aggressor: buyerIsMaker ? .sell : .buy,
                tradeID: id)
        }
        return nil
    }

    enum TapeError: Error, CustomStringConvertible {
        case badLine(Int)
        var description: String {
            switch self {
            case .badLine(let line): return "malformed trade on line \(line)"
            }
        }
    }
}
