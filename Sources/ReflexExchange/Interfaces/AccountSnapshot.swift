public import ReflexCore

/// Account totals in the settlement asset, as the venue reports them.
public struct AccountSnapshot: Hashable, Sendable {
    /// Settlement asset (`USDT`).
    public var asset: String
    /// Deposits plus realised PnL minus fees.
    public var walletBalance: Money
    /// Wallet balance plus unrealised PnL.
    public var marginBalance: Money
    public var unrealizedPnL: Money
    /// Margin that can still open positions.
    public var availableBalance: Money
    /// Maintenance margin of all positions; the account is liquidated when margin balance falls to it.
    public var maintenanceMargin: Money
    public var time: Timestamp

    public init(
        asset: String, walletBalance: Money, marginBalance: Money, unrealizedPnL: Money, availableBalance: Money,
        maintenanceMargin: Money, time: Timestamp
    ) {
        self.asset = asset
        self.walletBalance = walletBalance
        self.marginBalance = marginBalance
        self.unrealizedPnL = unrealizedPnL
        self.availableBalance = availableBalance
        self.maintenanceMargin = maintenanceMargin
        self.time = time
    }
}
