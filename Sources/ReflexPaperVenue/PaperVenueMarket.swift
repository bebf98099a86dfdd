public import ReflexBacktest

extension PaperVenueConfiguration {
    /// One symbol the venue trades: its recorded tape, Binance's rules for it, and the matching engine's settings.
    /// Each market has its own order book and its own isolated position; the wallet is the venue's one account.
    public struct Market: Sendable {
        /// Exchange symbol, upper case (`ETHUSDT`).
        public var symbol: String
        /// The recorded trades to replay.
        public var tape: Tape
        /// Binance's rules for the symbol; taken from ``VenueSymbolRules/forSymbol(_:)`` unless set.
        public var rules: VenueSymbolRules
        /// Fees, slippage and latency of the symbol's matching engine (the backtester's `SimulatedVenue`).
        public var matching: SimulatedVenue.Configuration

        /// `symbol` replaying `tape`; rules and matching default from the symbol's Binance rules.
        public init(
            symbol: String, tape: Tape, rules: VenueSymbolRules? = nil, matching: SimulatedVenue.Configuration? = nil
        ) {
            let symbol = symbol.uppercased()
            let rules = rules ?? VenueSymbolRules.forSymbol(symbol)
            self.symbol = symbol
            self.tape = tape
            self.rules = rules
            self.matching = matching ?? SimulatedVenue.Configuration(tickSize: rules.tickSize)
        }
    }
}
