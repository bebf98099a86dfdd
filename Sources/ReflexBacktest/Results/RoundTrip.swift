public import ReflexCore

/// One trade from flat to flat.
public struct RoundTrip: Sendable, Hashable {
    public var side: Side
    public var entryTime: Timestamp
    public var exitTime: Timestamp
    /// Largest absolute position during the trade.
    public var quantity: Quantity
    public var averageEntry: Double
    public var averageExit: Double
    /// Realised PnL before fees.
    public var grossPnl: Money
    public var fees: Money
    public var mode: TradingMode
    public var netPnl: Money { grossPnl - fees }
}

/// Cuts the fill stream into round trips.
struct RoundTripLedger {
    private var position = Position()
    private var open:
        (
            side: Side, time: Timestamp, maxQuantity: Quantity, entryNotional: Money, entryQty: Quantity,
            exitNotional: Money, exitQty: Quantity, gross: Money, fees: Money, mode: TradingMode
        )?
    private(set) var trips: [RoundTrip] = []

    mutating func record(_ fill: OrderFilled, mode: TradingMode) -> RoundTrip? {
        if position.isFlat {
            open = (fill.side, fill.time, .zero, .zero, .zero, .zero, .zero, .zero, .zero, mode)
        }
        guard var trip = open else { return nil }
        let opening = fill.side == trip.side
        let pnl = position.apply(side: fill.side, quantity: fill.quantity, price: fill.price)
        trip.gross += pnl
        trip.fees += fill.fee
        if opening {
            trip.entryNotional += Money.notional(fill.price, fill.quantity)
            trip.entryQty += fill.quantity
        } else {
            trip.exitNotional += Money.notional(fill.price, fill.quantity)
            trip.exitQty += fill.quantity
        }
        if position.quantity.magnitude > trip.maxQuantity { trip.maxQuantity = position.quantity.magnitude }
        open = trip
        guard position.isFlat || (position.quantity.raw > 0) != (trip.side == .buy) else { return nil }
        let finished = RoundTrip(
            side: trip.side, entryTime: trip.time, exitTime: fill.time, quantity: trip.maxQuantity,
            averageEntry: trip.entryQty.isZero ? 0 : trip.entryNotional.doubleValue / trip.entryQty.doubleValue,
            averageExit: trip.exitQty.isZero ? 0 : trip.exitNotional.doubleValue / trip.exitQty.doubleValue,
            grossPnl: trip.gross, fees: trip.fees, mode: trip.mode)
        trips.append(finished)
        open = nil
        if !position.isFlat {
            // Flipped: the remainder starts the next trip.
            let remainder = position.quantity.magnitude
            open = (
                fill.side, fill.time, remainder, Money.notional(fill.price, remainder), remainder, .zero, .zero, .zero,
                .zero, mode
            )
        }
        return finished
    }
}
