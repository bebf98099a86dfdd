public import ReflexCore
public import ReflexExchange

/// The start-up decisions, pure: fed what the venue says of each market (its rules and open orders) and of the
/// account (every position), it says whether the bot may start and what to report. Adopting the position and the
/// bot's own orders is the engine's part (a `reconcile` read, as at any other time).
public struct StartupCheck: Sendable, Hashable {
    /// What the venue said of one market the deployment trades.
    public struct MarketSnapshot: Sendable {
        public var symbol: String
        /// The bot's client-order-id prefix for the market (without the dash).
        public var orderIDPrefix: String
        /// The strategy's price and size grid.
        public var instrument: Instrument
        public var rules: Instrument
        public var openOrders: [OpenOrder]

        public init(
            symbol: String, orderIDPrefix: String, instrument: Instrument, rules: Instrument,
            openOrders: [OpenOrder]
        ) {
            self.symbol = symbol
            self.orderIDPrefix = orderIDPrefix
            self.instrument = instrument
            self.rules = rules
            self.openOrders = openOrders
        }
    }

    /// Why the bot must not start (fix the strategy file, or clear the account), one line per problem.
    public var refusals: [String]
    /// Positions the account holds in markets the deployment does not trade: reported and left alone.
    public var untradedPositions: [PositionUpdate]

    public init(markets: [MarketSnapshot], accountPositions: [PositionUpdate]) {
        var refusals: [String] = []
        for market in markets {
            let problems = market.rules.problems(trading: market.instrument)
            if !problems.isEmpty {
                refusals.append(
                    "the strategy's instrument rules for \(market.symbol) do not fit the venue's: \(problems.joined(separator: "; ")); fix \"instrument\" in the strategy file"
                )
            }
            // Orders of the symbol the bot did not place would fill into its position unseen.
            let prefix = market.orderIDPrefix + "-"
            let foreign = market.openOrders.filter { !$0.clientOrderID.rawValue.hasPrefix(prefix) }
            if !foreign.isEmpty {
                refusals.append(
                    "the venue has \(foreign.count) open \(market.symbol) order(s) this bot did not place (\(foreign.prefix(3).map(\.clientOrderID.rawValue).joined(separator: ", "))); cancel them or use another account before starting"
                )
            }
        }
        let traded = Set(markets.map(\.symbol))
        self.refusals = refusals
        untradedPositions = accountPositions.filter { !traded.contains($0.symbol) && !$0.quantity.isZero }
    }
}
