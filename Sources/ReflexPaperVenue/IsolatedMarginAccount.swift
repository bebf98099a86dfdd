public import ReflexCore

/// One USDT account with one isolated-margin, one-way position, accounted the way Binance does it.
///
/// - Opening or adding moves `notional / leverage` from the free balance into the position's isolated wallet.
/// - Closing releases the isolated wallet pro rata and books realized PnL and fees into the wallet balance.
/// - Margin ratio = maintenance margin / (isolated wallet + unrealized PnL); at 1 or more the position is liquidated
///   and its isolated wallet is lost (what is left over pays the clearance fee, as on Binance).
///
/// Pure value type: prices come in as arguments.
public struct IsolatedMarginAccount: Sendable, Hashable {
    /// Margin asset (`USDT`).
    public let asset: String
    /// Deposits plus realized PnL minus fees.
    public private(set) var walletBalance: Money
    /// Initial margin is notional / leverage.
    public var leverage: Int
    /// Signed position: positive long, negative short.
    public private(set) var positionAmount: Quantity = .zero
    /// Volume-weighted entry price of the open position (zero when flat).
    public private(set) var entryPrice: Price = .zero
    /// Margin held by the position.
    public private(set) var isolatedWallet: Money = .zero
    /// Realized PnL booked since the start, before fees.
    public private(set) var accumulatedRealized: Money = .zero
    /// Maintenance margin as a fraction of notional (first bracket).
    public let maintenanceMarginRate: Double
    /// Decimals used when printing prices derived from division (entry, liquidation).
    public let pricePrecision: UInt8

    /// An account holding `walletBalance` with no position.
    public init(
        asset: String = "USDT", walletBalance: Money, leverage: Int, maintenanceMarginRate: Double,
        pricePrecision: UInt8
    ) {
        self.asset = asset
        self.walletBalance = walletBalance
        self.leverage = max(1, leverage)
        self.maintenanceMarginRate = maintenanceMarginRate
        self.pricePrecision = pricePrecision
    }

    /// Applies one execution; returns the realized PnL of the part that closed position (zero when it only opened).
    @discardableResult
    public mutating func apply(side: Side, price: Price, quantity: Quantity, fee: Money) -> Money {
        walletBalance -= fee
        let signed = Quantity(raw: quantity.raw * side.sign, precision: quantity.precision)
        var realized = Money.zero
        var opening = signed
        if positionAmount.raw != 0 && (positionAmount.raw > 0) != (signed.raw > 0) {
            // The fill reduces (and maybe flips) the position: close the overlapping part first.
            let closing = min(quantity.raw, abs(positionAmount.raw))
            let closed = Quantity(raw: closing, precision: quantity.precision)
            let direction: Int64 = positionAmount.raw > 0 ? 1 : -1
            realized = Money.notional(Price(raw: (price.raw - entryPrice.raw) * direction, precision: 8), closed)
            let released = Money(
                raw: Int64(Int128(isolatedWallet.raw) * Int128(closing) / Int128(positionAmount.raw.magnitude)),
                precision: 8)
            isolatedWallet -= released
            walletBalance += realized
            accumulatedRealized += realized
            positionAmount = Quantity(raw: positionAmount.raw - closing * direction, precision: quantity.precision)
            opening = Quantity(raw: signed.raw + closing * direction, precision: quantity.precision)
            if positionAmount.raw == 0 {
                entryPrice = .zero
                isolatedWallet = .zero
            }
        }
        if opening.raw != 0 {
            let old = Int128(positionAmount.raw.magnitude)
            let added = Int128(opening.raw.magnitude)
            let weighted = old * Int128(entryPrice.raw) + added * Int128(price.raw)
            let total = old + added
            let entry = Int64((weighted + total / 2) / total)
            entryPrice = Price(raw: entry, precision: max(pricePrecision, FixedPoint.minimalPrecision(raw: entry)))
            isolatedWallet += initialMargin(Money.notional(price, opening.magnitude))
            positionAmount = Quantity(raw: positionAmount.raw + opening.raw, precision: quantity.precision)
        }
        return realized
    }

    /// Closes the whole position by liquidation: the isolated wallet is lost. Returns the amount lost.
    @discardableResult
    public mutating func liquidate() -> Money {
        let lost = isolatedWallet
        walletBalance -= lost
        accumulatedRealized -= lost
        positionAmount = .zero
        entryPrice = .zero
        isolatedWallet = .zero
        return lost
    }

    /// Moves `amount` from the free balance into the open position's isolated wallet (Binance's "modify isolated
    /// position margin", type 1), which lowers a long's liquidation price and raises a short's.
    /// - Returns: false (nothing changed) when flat or when the free balance is short.
    public mutating func addMargin(_ amount: Money, openOrderMargin: Money) -> Bool {
        guard positionAmount.raw != 0, amount.raw > 0, availableBalance(openOrderMargin: openOrderMargin) >= amount
        else { return false }
        isolatedWallet += amount
        return true
    }

    /// Initial margin for `notional` at the account's leverage.
    public func initialMargin(_ notional: Money) -> Money {
        Money(raw: notional.raw / Int64(leverage), precision: 8)
    }

    /// Wallet balance not held by the position or by open orders.
    public func availableBalance(openOrderMargin: Money) -> Money {
        walletBalance - isolatedWallet - openOrderMargin
    }

    /// Unrealized PnL at `mark`.
    public func unrealizedProfit(mark: Price) -> Money {
        guard positionAmount.raw != 0 else { return .zero }
        return Money.notional(Price(raw: mark.raw - entryPrice.raw, precision: 8), positionAmount)
    }

    /// Maintenance margin required at `mark` (first leverage bracket, no maintenance amount).
    public func maintenanceMargin(mark: Price) -> Money {
        let notional = Money.notional(mark, positionAmount.magnitude)
        return notional.scaled(by: maintenanceMarginRate)
    }

    /// Maintenance margin over the position's margin balance; nil when flat. 1 or more means liquidation.
    public func marginRatio(mark: Price) -> Double? {
        guard positionAmount.raw != 0 else { return nil }
        let balance = isolatedWallet + unrealizedProfit(mark: mark)
        guard balance.raw > 0 else { return .infinity }
        return maintenanceMargin(mark: mark).doubleValue / balance.doubleValue
    }

    /// The mark price at which the margin ratio reaches 1, on the tick grid; zero when flat or unreachable.
    public func liquidationPrice(tickSize: Price) -> Price {
        guard positionAmount.raw != 0 else { return .zero }
        // isolatedWallet + q·(P − E) = |q|·P·mmr  ⇒  P = (q·E − isolatedWallet) / (q − |q|·mmr)
        let q = positionAmount.doubleValue
        let denominator = q - abs(q) * maintenanceMarginRate
        let price = (q * entryPrice.doubleValue - isolatedWallet.doubleValue) / denominator
        guard price.isFinite, price > 0, let exact = Price(approximating: price) else {
            return Price(raw: 0, precision: 0)
        }
        // Round towards the position so the reported level is never beyond the real one.
        return exact.rounded(toMultipleOf: tickSize, positionAmount.raw > 0 ? .up : .down)
    }
}
