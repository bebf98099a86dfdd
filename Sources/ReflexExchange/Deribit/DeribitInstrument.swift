public import ReflexCore

/// What a venue's order and trade `amount` counts.
public enum QuantityUnit: Hashable, Sendable {
    /// Units of the base currency (BTC), as the engine counts: linear (USDC-settled) perpetuals.
    case base
    /// US dollars, in whole multiples of `contractSize` (BTC-PERPETUAL: 10 USD): Deribit's inverse perpetuals.
    case usdContracts(contractSize: Quantity)
}

/// One Deribit instrument with its unit made explicit.
///
/// The engine sizes positions in base units (risk / stop distance); an inverse perpetual is traded in USD. Every
/// crossing between the two goes through `venueAmount(forBase:at:)` or `baseQuantity(forVenueAmount:at:)`, each
/// with a price, so no amount is ever read in the wrong unit.
public struct DeribitInstrument: Hashable, Sendable {
    /// `BTC-PERPETUAL`.
    public var name: String
    public var unit: QuantityUnit
    /// Price grid (`tick_size`).
    public var tickSize: Price
    /// Smallest order amount in venue units (`min_trade_amount`).
    public var minimumAmount: Quantity
    /// Currency of margin, PnL and fees (`settlement_currency`, `BTC`).
    public var settlementCurrency: String

    public init(name: String, unit: QuantityUnit, tickSize: Price, minimumAmount: Quantity, settlementCurrency: String)
    {
        self.name = name
        self.unit = unit
        self.tickSize = tickSize
        self.minimumAmount = minimumAmount
        self.settlementCurrency = settlementCurrency
    }

    /// The venue amount for `quantity` base units at `price`, rounded down onto the amount grid so the order
    /// never exceeds what the engine sized. Zero means "less than one contract".
    ///
    /// A reduce-only order is rounded up instead: the venue caps it at the position, and a close of a USD-contract
    /// position converted at a price below the entry's would otherwise leave a contract or so open.
    public func venueAmount(forBase quantity: Quantity, at price: Price, reduceOnly: Bool = false) -> Quantity {
        let rule: RoundingRule = reduceOnly ? .up : .down
        switch unit {
        case .base:
            return minimumAmount.raw > 0 ? quantity.rounded(toMultipleOf: minimumAmount, rule) : quantity
        case .usdContracts(let contractSize):
            let usd = Money.notional(price, quantity)
            return Quantity(raw: usd.raw, precision: usd.precision).rounded(toMultipleOf: contractSize, rule)
        }
    }

    /// The base quantity of `amount` venue units at `price` (for USD contracts `amount / price`, to 10⁻⁸).
    public func baseQuantity(forVenueAmount amount: Quantity, at price: Price) -> Quantity {
        switch unit {
        case .base:
            return amount
        case .usdContracts:
            guard price.raw > 0 else { return .zero }
            let raw = Int128(amount.raw) * Int128(FixedPoint.scale) / Int128(price.raw)
            let quantity = Quantity(raw: Int64(clamping: raw), precision: FixedPoint.maxPrecision)
            return Quantity(raw: quantity.raw, precision: FixedPoint.minimalPrecision(raw: quantity.raw))
        }
    }

    /// The engine-facing rules: prices on `tickSize`; quantities in base units. For USD contracts the base grid
    /// depends on the price, so it is left fine (10⁻⁸) here and an order below one contract is refused after
    /// conversion.
    public var rules: Instrument {
        switch unit {
        case .base:
            return Instrument(
                symbol: name, tickSize: tickSize, stepSize: minimumAmount, minQuantity: minimumAmount)
        case .usdContracts:
            let finest = Quantity(raw: 1, precision: FixedPoint.maxPrecision)
            return Instrument(symbol: name, tickSize: tickSize, stepSize: finest, minQuantity: finest)
        }
    }
}
