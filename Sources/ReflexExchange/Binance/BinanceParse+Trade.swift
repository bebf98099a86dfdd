import Foundation
import ReflexCore

extension BinanceParse {
    /// Reads a market-stream message into a trade tick, ignoring other event types.
    public static func trade(_ text: String) -> BinanceTradeMessage {
        var text = text
        return text.withUTF8 { trade(bytes: $0) }
    }

    /// Reads a market-stream message from raw UTF-8 bytes (one JSON object, raw or combined-stream envelope).
    public static func trade(bytes: UnsafeBufferPointer<UInt8>) -> BinanceTradeMessage {
        var scanner = JSONByteScanner(bytes)
        var fields = TradeFields()
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "{") else { return .malformed(.notAnObject) }
        if let failure = scanTradeObject(&scanner, into: &fields, depth: 0) { return .malformed(failure) }
        scanner.skipWhitespace()
        guard scanner.atEnd else { return .malformed(.badSyntax) }
        return fields.message()
    }

    /// Reads a combined-stream message of several symbols: the trade, and which of `symbols` its `s` names (nil when
    /// it names none of them, or none at all). The symbols are laid out once as bytes (the stream's hot path: no `String` per message).
    public static func trade(bytes: UnsafeBufferPointer<UInt8>, symbols: BinanceSymbolTable) -> (
        message: BinanceTradeMessage, symbol: Int?
    ) {
        var scanner = JSONByteScanner(bytes)
        var fields = TradeFields()
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "{") else { return (.malformed(.notAnObject), nil) }
        if let failure = scanTradeObject(&scanner, into: &fields, depth: 0) { return (.malformed(failure), nil) }
        scanner.skipWhitespace()
        guard scanner.atEnd else { return (.malformed(.badSyntax), nil) }
        let index = fields.symbol.flatMap { symbols.index(of: $0, in: bytes) }
        return (fields.message(), index)
    }

    /// The fields of a trade event as they are found; the envelope's `data` object is scanned into the same record.
    struct TradeFields {
        var kind: Kind = .other
        var aggregateID: Int64?
        var tradeID: Int64?
        var tradeTime: Int64?
        var price: Price?
        var quantity: Quantity?
        var buyerIsMaker: Bool?
        var badDecimal = false
        /// Where the `s` (symbol) value is in the message.
        var symbol: Range<Int>?

        enum Kind { case other, aggTrade, trade }

        func message() -> BinanceTradeMessage {
            let id: Int64?
            switch kind {
            case .other: return .ignored
            case .aggTrade: id = aggregateID
            case .trade: id = tradeID
            }
            if badDecimal { return .malformed(.badDecimal) }
            guard let id, let tradeTime, let price, let quantity, let buyerIsMaker else {
                return .malformed(.missingField)
            }
            // A maker buyer means the seller crossed the spread.
            return .trade(
                Tick(
                    time: .milliseconds(tradeTime), price: price, quantity: quantity,
                    aggressor: buyerIsMaker ? .sell : .buy, tradeID: id))
        }
    }

    /// Scans one object (scanner on `{`). Keys are matched by bytes; unknown keys and nested values are skipped.
    private static func scanTradeObject(
        _ scanner: inout JSONByteScanner, into fields: inout TradeFields, depth: Int
    ) -> BinanceParseFailure? {
        scanner.advance()  // {
        scanner.skipWhitespace()
        if scanner.peek == UInt8(ascii: "}") {
            scanner.advance()
            return nil
        }
        while true {
            scanner.skipWhitespace()
            guard let key = scanner.stringRange() else { return .badSyntax }
            scanner.skipWhitespace()
            guard scanner.consume(UInt8(ascii: ":")) else { return .badSyntax }
            scanner.skipWhitespace()
            if key.count == 1 {
                let failure = scanField(scanner.bytes[key.lowerBound], &scanner, into: &fields)
                if let failure { return failure }
            } else if depth == 0 && scanner.matches(key, "data") && scanner.peek == UInt8(ascii: "{") {
                if let failure = scanTradeObject(&scanner, into: &fields, depth: 1) { return failure }
            } else {
                guard scanner.skipValue() else { return .badSyntax }
            }
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: ",")) { continue }
            if scanner.consume(UInt8(ascii: "}")) { return nil }
            return .badSyntax
        }
    }

    private static func scanField(
        _ key: UInt8, _ scanner: inout JSONByteScanner, into fields: inout TradeFields
    ) -> BinanceParseFailure? {
        switch key {
        case UInt8(ascii: "e"):
            guard scanner.peek == UInt8(ascii: "\"") else { return scanner.skipValue() ? nil : .badSyntax }
            guard let value = scanner.stringRange() else { return .badSyntax }
            if scanner.matches(value, "aggTrade") {
                fields.kind = .aggTrade
            } else if scanner.matches(value, "trade") {
                fields.kind = .trade
            }
        case UInt8(ascii: "a"), UInt8(ascii: "t"), UInt8(ascii: "T"):
            // `a` is the ask price (a string) in other events: only a bare integer counts here.
            guard scanner.peekIsNumberStart else { return scanner.skipValue() ? nil : .badSyntax }
            guard let value = scanner.integer() else { return .badNumber }
            if key == UInt8(ascii: "a") {
                fields.aggregateID = value
            } else if key == UInt8(ascii: "t") {
                fields.tradeID = value
            } else {
                fields.tradeTime = value
            }
        case UInt8(ascii: "p"), UInt8(ascii: "q"):
            guard scanner.peek == UInt8(ascii: "\"") else { return scanner.skipValue() ? nil : .badSyntax }
            guard let value = scanner.stringRange() else { return .badSyntax }
            guard let (raw, precision) = FixedPoint.parse(UnsafeBufferPointer(rebasing: scanner.bytes[value])) else {
                fields.badDecimal = true
                return nil
            }
            if key == UInt8(ascii: "p") {
                fields.price = Price(raw: raw, precision: precision)
            } else {
                fields.quantity = Quantity(raw: raw, precision: precision)
            }
        case UInt8(ascii: "s"):
            guard scanner.peek == UInt8(ascii: "\"") else { return scanner.skipValue() ? nil : .badSyntax }
            guard let value = scanner.stringRange() else { return .badSyntax }
            fields.symbol = value
        case UInt8(ascii: "m"):
            if let value = scanner.boolean() {
                fields.buyerIsMaker = value
            } else {
                return scanner.skipValue() ? nil : .badSyntax
            }
        default:
            return scanner.skipValue() ? nil : .badSyntax
        }
        return nil
    }
}

/// The symbols of a combined stream as UTF-8 bytes, looked up by the bytes of a message's `s` value.
public struct BinanceSymbolTable: Sendable {
    private let symbols: [[UInt8]]

    public init(_ symbols: [String]) { self.symbols = symbols.map { Array($0.utf8) } }

    /// Which symbol the bytes in `range` spell, if any.
    func index(of range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = range.count
        for (index, symbol) in symbols.enumerated() where symbol.count == count {
            let equal = symbol.withUnsafeBufferPointer { candidate in
                memcmp(candidate.baseAddress!, bytes.baseAddress! + range.lowerBound, count) == 0
            }
            if equal { return index }
        }
        return nil
    }
}
