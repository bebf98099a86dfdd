/// A position with exact cost accounting: signed quantity and the cost of the open quantity.
public struct Position: Sendable, Hashable, Codable {
    /// Signed: positive long, negative short.
    public private(set) var quantity: Quantity = .zero
    /// Entry notional of the open quantity (always ≥ 0).
    public private(set) var cost: Money = .zero

    public init() {}

    /// Adopts a venue's position (reconciliation).
    public init(quantity: Quantity, entryPrice: Price) {
        self.quantity = quantity
        cost = Money.notional(entryPrice, quantity.magnitude)
    }

    public var isFlat: Bool { quantity.raw == 0 }
    /// The side that would close this position.
    public var closingSide: Side { quantity.raw > 0 ? .sell : .buy }

    /// Average entry price (approximate: for display and stop placement, which is rounded to the tick).
    public var averageEntry: Double? {
        isFlat ? nil : cost.doubleValue / quantity.magnitude.doubleValue
    }

    /// Unrealised PnL at `mark`.
    public func unrealized(at mark: Price) -> Money {
        guard !isFlat else { return .zero }
        let value = Money.notional(mark, quantity.magnitude)
        return quantity.raw > 0 ? value - cost : cost - value
    }

    /// Applies an execution; returns the realised PnL (before fees) of the part that closed.
    public mutating func apply(side: Side, quantity fillQuantity: Quantity, price: Price) -> Money {
        let signed = Quantity(raw: fillQuantity.raw * side.sign, precision: fillQuantity.precision)
        if isFlat || (quantity.raw > 0) == (signed.raw > 0) {
            quantity += signed
            cost += Money.notional(price, fillQuantity)
            return .zero
        }
        let open = quantity.magnitude
        let closing = min(fillQuantity, open)
        // Cost of the closed part, pro rata, exactly in integers.
        let removedRaw = Int64(Int128(cost.raw) * Int128(closing.raw) / Int128(open.raw))
        let removed = Money(raw: removedRaw, precision: FixedPoint.maxPrecision)
        let proceeds = Money.notional(price, closing)
        let pnl = quantity.raw > 0 ? proceeds - removed : removed - proceeds
        quantity += signed
        cost -= removed
        if closing < fillQuantity {
            // Flipped through zero: the rest opens a new position at the fill price.
            cost = Money.notional(price, fillQuantity - closing)
        } else if isFlat {
            cost = .zero
        }
        return pnl
    }
}
