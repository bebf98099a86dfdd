extension Instrument {
    /// What is wrong with trading `instrument` (a strategy file's grid and minimums) under these (a venue's) rules, one
    /// line per field; empty when every order the engine can make passes the venue's filters.
    ///
    /// The strategy's grid may be coarser than the venue's (a multiple of it) and its minimums higher, never the
    /// other way round: an engine rounding to a finer grid or sizing below the venue's minimum would have its
    /// orders rejected one by one at the worst moment.
    public func problems(trading instrument: Instrument) -> [String] {
        var problems: [String] = []
        func grid<Value: CustomStringConvertible>(
            _ name: String, strategy: Value, venue: Value, multiple: (Value, Value) -> Bool
        ) {
            if !multiple(strategy, venue) {
                problems.append("\(name) \(strategy) is not a multiple of the venue's \(venue)")
            }
        }
        if tickSize.raw > 0 {
            grid("tickSize", strategy: instrument.tickSize, venue: tickSize) {
                $0.raw > 0 && $0.raw % $1.raw == 0
            }
        }
        for (name, step) in [("stepSize", stepSize), ("market stepSize", marketStepSize)] where step.raw > 0 {
            grid(name, strategy: instrument.stepSize, venue: step) { $0.raw > 0 && $0.raw % $1.raw == 0 }
        }
        let minimum = max(minQuantity, marketMinQuantity)
        if instrument.minQuantity < minimum {
            problems.append("minQuantity \(instrument.minQuantity) is below the venue's \(minimum)")
        }
        if instrument.minNotional < minNotional {
            problems.append("minNotional \(instrument.minNotional) is below the venue's \(minNotional)")
        }
        return problems
    }
}
