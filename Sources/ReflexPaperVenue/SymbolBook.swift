import ReflexBacktest
import ReflexCore

/// One traded symbol's side of the paper exchange: its rules, its own matching engine (orders of one symbol never
/// meet another symbol's trades), its mark price, and whether its isolated position may get a margin call.
struct SymbolBook: Sendable {
    let rules: VenueSymbolRules
    var matching: SimulatedVenue
    /// Mark price = the symbol's last trade price; nil before its first trade.
    var markPrice: Price?
    /// One margin call per excursion above the threshold: disarmed when sent, re-armed when the ratio falls back.
    var marginCallArmed = true

    init(market: PaperVenueConfiguration.Market) {
        rules = market.rules
        matching = SimulatedVenue(symbol: market.symbol, configuration: market.matching)
    }
}
