/// Why an order breaks an instrument rule; `description` is the reason the engine logs.
public enum FilterViolation: Hashable, Sendable, CustomStringConvertible {
    case wrongSymbol(expected: String, got: String)
    case quantityNotPositive(Quantity)
    case quantityBelowMinimum(Quantity, minimum: Quantity)
    case quantityAboveMaximum(Quantity, maximum: Quantity)
    case quantityOffStep(Quantity, step: Quantity)
    case priceNotPositive(Price)
    case priceBelowMinimum(Price, minimum: Price)
    case priceAboveMaximum(Price, maximum: Price)
    case priceOffTick(Price, tick: Price)
    case notionalBelowMinimum(Money, minimum: Money)

    public var description: String {
        switch self {
        case .wrongSymbol(let expected, let got): return "rules are for \(expected), order is for \(got)"
        case .quantityNotPositive(let q): return "quantity \(q) must be positive"
        case .quantityBelowMinimum(let q, let minimum): return "quantity \(q) is below the minimum \(minimum)"
        case .quantityAboveMaximum(let q, let maximum): return "quantity \(q) is above the maximum \(maximum)"
        case .quantityOffStep(let q, let step): return "quantity \(q) is not a multiple of the step size \(step)"
        case .priceNotPositive(let p): return "price \(p) must be positive"
        case .priceBelowMinimum(let p, let minimum): return "price \(p) is below the minimum \(minimum)"
        case .priceAboveMaximum(let p, let maximum): return "price \(p) is above the maximum \(maximum)"
        case .priceOffTick(let p, let tick): return "price \(p) is not a multiple of the tick size \(tick)"
        case .notionalBelowMinimum(let n, let minimum):
            return "notional \(n) is below the minimum \(minimum) (only reduce-only orders may be smaller)"
        }
    }
}
