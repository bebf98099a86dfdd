public import ReflexCore

/// One USDT account with one isolated-margin, one-way position, accounted the way Binance does it: the one-symbol
/// view of what the venue keeps for several symbols in a ``FuturesAccount``.
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
    private var position: IsolatedPosition

    /// An account holding `walletBalance` with no position.
    public init(
        asset: String = "USDT", walletBalance: Money, leverage: Int, maintenanceMarginRate: Double,
        pricePrecision: UInt8
    ) {
        self.asset = asset
        self.walletBalance = walletBalance
        self.position = IsolatedPosition(
            leverage: leverage, maintenanceMarginRate: maintenanceMarginRate, pricePrecision: pricePrecision)
    }

    /// Initial margin is notional / leverage.
    public var leverage: Int {
        get { position.leverage }
        set { position.leverage = newValue }
    }
    /// Signed position: positive long, negative short.
    public var positionAmount: Quantity { position.amount }
    /// Volume-weighted entry price of the open position (zero when flat).
    public var entryPrice: Price { position.entryPrice }
    /// Margin held by the position.
    public var isolatedWallet: Money { position.isolatedWallet }
    /// Realized PnL booked since the start, before fees.
    public var accumulatedRealized: Money { position.accumulatedRealized }
    /// Maintenance margin as a fraction of notional (first bracket).
    public var maintenanceMarginRate: Double { position.maintenanceMarginRate }
    /// Decimals used when printing prices derived from division (entry, liquidation).
    public var pricePrecision: UInt8 { position.pricePrecision }

    /// Applies one execution; returns the realized PnL of the part that closed position (zero when it only opened).
    @discardableResult
    public mutating func apply(side: Side, price: Price, quantity: Quantity, fee: Money) -> Money {
        let realized = position.apply(side: side, price: price, quantity: quantity)
        walletBalance += realized - fee
        return realized
    }

    /// Closes the whole position by liquidation: the isolated wallet is lost. Returns the amount lost.
    @discardableResult
    public mutating func liquidate() -> Money {
        let lost = position.liquidate()
        walletBalance -= lost
        return lost
    }

    /// Moves `amount` from the free balance into the open position's isolated wallet (Binance's "modify isolated
    /// position margin", type 1), which lowers a long's liquidation price and raises a short's.
    /// - Returns: false (nothing changed) when flat or when the free balance is short.
    public mutating func addMargin(_ amount: Money, openOrderMargin: Money) -> Bool {
        guard position.amount.raw != 0, amount.raw > 0, availableBalance(openOrderMargin: openOrderMargin) >= amount
        else { return false }
        position.addMargin(amount)
        return true
    }

    /// Initial margin for `notional` at the account's leverage.
    public func initialMargin(_ notional: Money) -> Money { position.initialMargin(notional) }

    /// Wallet balance not held by the position or by open orders.
    public func availableBalance(openOrderMargin: Money) -> Money {
        walletBalance - position.isolatedWallet - openOrderMargin
    }

    /// Unrealized PnL at `mark`.
    public func unrealizedProfit(mark: Price) -> Money { position.unrealizedProfit(mark: mark) }

    /// Maintenance margin required at `mark` (first leverage bracket, no maintenance amount).
    public func maintenanceMargin(mark: Price) -> Money { position.maintenanceMargin(mark: mark) }

    /// Maintenance margin over the position's margin balance; nil when flat. 1 or more means liquidation.
    public func marginRatio(mark: Price) -> Double? { position.marginRatio(mark: mark) }

    /// The mark price at which the margin ratio reaches 1, on the tick grid; zero when flat or unreachable.
    public func liquidationPrice(tickSize: Price) -> Price { position.liquidationPrice(tickSize: tickSize) }
}
