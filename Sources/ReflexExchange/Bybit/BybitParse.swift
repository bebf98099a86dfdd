import ReflexCore

/// Pure translations of Bybit v5 messages into wire types and engine events: no I/O, no clock.
public enum BybitParse {
    /// `Buy` / `Sell` → `Side` (explicit, so a new spelling is an error rather than a guess).
    static func side(_ text: String) throws(WireFormatError) -> Side {
        switch text {
        case "Buy": return .buy
        case "Sell": return .sell
        default: throw WireFormatError("side: expected Buy or Sell, got \"\(text)\"")
        }
    }

    /// The wire spelling of a side.
    static func wire(_ side: Side) -> String { side == .buy ? "Buy" : "Sell" }

    /// A message's `op`, for acknowledgements and pongs; nil when it has none.
    static func operation(_ object: WireObject) -> String? {
        guard case .string(let op)? = object["op"] else { return nil }
        return op
    }

    /// `success`/`ret_msg` of an acknowledgement.
    static func acknowledgement(_ object: WireObject) -> (success: Bool, message: String) {
        let success = (try? object.bool("success")) ?? false
        let message = (try? object.optionalString("ret_msg")) ?? nil
        return (success, message ?? "")
    }

    /// Reads a JSON number or string that holds a decimal as a `Double` (margin rates only, never money).
    static func rate(_ object: WireObject, _ key: String) -> Double? {
        switch object[key] {
        case .string(let text)?: return Double(text)
        case .number(let text)?: return Double(text)
        default: return nil
        }
    }
}
