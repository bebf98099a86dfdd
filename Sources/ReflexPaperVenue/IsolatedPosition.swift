import ReflexCore

/// One symbol's isolated-margin, one-way position, accounted the way Binance does it. The wallet balance it draws
/// on belongs to the account (``FuturesAccount``, ``IsolatedMarginAccount``): this keeps what the position holds.
///
/// - Opening or adding moves `notional / leverage` into the position's isolated wallet.
/// - Closing releases the isolated wallet pro rata; the realized PnL is returned for the account to book.
/// - Margin ratio = maintenance margin / (isolated wallet + unrealized PnL); at 1 or more the position is liquidated
///   and its isolated wallet is lost. Only the position's own margin counts: that is what isolated means.
struct IsolatedPosition: Sendable, Hashable {
    /// Initial margin is notional / leverage.
    var leverage: Int
    /// Signed position: positive long, negative short.
    private(set) var amount: Quantity = .zero
    /// Volume-weighted entry price of the open position (zero when flat).
    private(set) var entryPrice: Price = .zero
    /// Margin held by the position.
    private(set) var isolatedWallet: Money = .zero
    /// Realized PnL booked since the start, before fees.
    private(set) var accumulatedRealized: Money = .zero
    /// Maintenance margin as a fraction of notional (first bracket).
    let maintenanceMarginRate: Double
    /// Decimals used when printing prices derived from division (entry, liquidation).
    let pricePrecision: UInt8

    init(leverage: Int, maintenanceMarginRate: Double, pricePrecision: UInt8) {
        self.leverage = max(1, leverage)
        self.maintenanceMarginRate = maintenanceMarginRate
        self.pricePrecision = pricePrecision
    }

    /// Applies one execution; returns the realized PnL of the part that closed position (zero when it only opened).
    mutating func apply(side: Side, price: Price, quantity: Quantity) -> Money {
        let signed = Quantity(raw: quantity.raw * side.sign, precision: quantity.precision)
        var realized = Money.zero
        var opening = signed
        if amount.raw != 0 && (amount.raw > 0) != (signed.raw > 0) {
            // The fill reduces (and maybe flips) the position: close the overlapping part first.
            let closing = min(quantity.raw, abs(amount.raw))
            let closed = Quantity(raw: closing, precision: quantity.precision)
            let direction: Int64 = amount.raw > 0 ? 1 : -1
            realized = Money.notional(Price(raw: (price.raw - entryPrice.raw) * direction, precision: 8), closed)
            let released = Money(
                raw: Int64(Int128(isolatedWallet.raw) * Int128(closing) / Int128(amount.raw.magnitude)),
                precision: 8)
            isolatedWallet -= released
            accumulatedRealized += realized
            amount = Quantity(raw: amount.raw - closing * direction, precision: quantity.precision)
            opening = Quantity(raw: signed.raw + closing * direction, precision: quantity.precision)
            if amount.raw == 0 {
                entryPrice = .zero
                isolatedWallet = .zero
            }
        }
        if opening.raw != 0 {
            let old = Int128(amount.raw.magnitude)
            let added = Int128(opening.raw.magnitude)
            let weighted = old * Int128(entryPrice.raw) + added * Int128(price.raw)
            let total = old + added
            let entry = Int64((weighted + total / 2) / total)
            entryPrice = Price(raw: entry, precision: max(pricePrecision, FixedPoint.minimalPrecision(raw: entry)))
            isolatedWallet += initialMargin(Money.notional(price, opening.magnitude))
            amount = Quantity(raw: amount.raw + opening.raw, precision: quantity.precision)
        }
        return realized
    }

    /// Closes the whole position by liquidation: the isolated wallet is lost. Returns the amount lost.
    mutating func liquidate() -> Money {
        let lost = isolatedWallet
        accumulatedRealized -= lost
        amount = .zero
        entryPrice = .zero
        isolatedWallet = .zero
        return lost
    }

    /// Adds `margin` to the isolated wallet; the account checks that its free balance covers it.
    mutating func addMargin(_ margin: Money) {
        isolatedWallet += margin
    }

    /// Initial margin for `notional` at the position's leverage.
    func initialMargin(_ notional: Money) -> Money {
        Money(raw: notional.raw / Int64(leverage), precision: 8)
    }

    /// Unrealized PnL at `mark`.
    func unrealizedProfit(mark: Price) -> Money {
        guard amount.raw != 0 else { return .zero }
        return Money.notional(Price(raw: mark.raw - entryPrice.raw, precision: 8), amount)
    }

    /// Maintenance margin required at `mark` (first leverage bracket, no maintenance amount).
    func maintenanceMargin(mark: Price) -> Money {
        let notional = Money.notional(mark, amount.magnitude)
        return notional.scaled(by: maintenanceMarginRate)
    }

    /// Maintenance margin over the position's margin balance; nil when flat. 1 or more means liquidation.
    func marginRatio(mark: Price) -> Double? {
        guard amount.raw != 0 else { return nil }
        let balance = isolatedWallet + unrealizedProfit(mark: mark)
        guard balance.raw > 0 else { return .infinity }
        return maintenanceMargin(mark: mark).doubleValue / balance.doubleValue
    }

    /// The mark price at which the margin ratio reaches 1, on the tick grid; zero when flat or unreachable.
    func liquidationPrice(tickSize: Price) -> Price {
        guard amount.raw != 0 else { return .zero }
        // isolatedWallet + q·(P − E) = |q|·P·mmr  ⇒  P = (q·E − isolatedWallet) / (q − |q|·mmr)
        let q = amount.doubleValue
        let denominator = q - abs(q) * maintenanceMarginRate
        let price = (q * entryPrice.doubleValue - isolatedWallet.doubleValue) / denominator
        guard price.isFinite, price > 0, let exact = Price(approximating: price) else {
            return Price(raw: 0, precision: 0)
        }
        // Round towards the position so the reported level is never beyond the real one.
        return exact.rounded(toMultipleOf: tickSize, amount.raw > 0 ? .up : .down)
    }
}
