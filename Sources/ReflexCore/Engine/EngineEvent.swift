/// An operator instruction.
public enum ControlAction: Hashable, Sendable, Codable {
    case setMode(TradingMode)
    /// Stop opening positions; protection stays.
    case pause
    case resume
    /// Cancel entries and close the whole position at market.
    case flatten
    /// Read the venue's position and open orders now and adopt them (periodic, after an account-stream reconnect).
    case reconcile
    /// Change one strategy parameter by name (see ``StrategyParameters/settingValue(_:to:)``).
    case setParam(name: String, value: Double)
}

/// An operator instruction with its time and source.
public struct ControlCommand: Hashable, Sendable, Codable {
    public var action: ControlAction
    public var source: String
    public var time: Timestamp
    /// The market it is for; nil means every market the bot trades.
    public var symbol: String?
    public init(action: ControlAction, source: String = "operator", time: Timestamp, symbol: String? = nil) {
        self.action = action
        self.source = source
        self.time = time
        self.symbol = symbol
    }
}

/// Everything that can happen to the engine. Each carries its own time: the engine never reads a clock.
public enum EngineEvent: Hashable, Sendable, Codable {
    case tick(Tick)
    /// A bar built elsewhere (e.g. a kline stream); ticks build their own bars.
    case barClosed(Bar)
    case orderAccepted(OrderAccepted)
    case orderRejected(OrderRejected)
    case orderFilled(OrderFilled)
    case orderCanceled(OrderCanceled)
    case positionChanged(PositionUpdate)
    case marginWarning(MarginWarning)
    case liquidation(Liquidation)
    case regimeShift(RegimeShift)
    case control(ControlCommand)
    /// Time passes with no trade (closes the daily-loss window, etc.). Live, its time is the wall clock, and
    /// once timers come they are the clock of the order budget.
    case timer(Timestamp)
    /// The venue's position and open orders, read for reconciliation.
    case venueState(VenueState)
    /// A reconciliation read failed.
    case reconciliationFailed(ReconciliationFailed)

    /// When the event happened.
    public var time: Timestamp {
        switch self {
        case .tick(let tick): return tick.time
        case .barClosed(let bar): return bar.closeTime
        case .orderAccepted(let e): return e.time
        case .orderRejected(let e): return e.time
        case .orderFilled(let e): return e.time
        case .orderCanceled(let e): return e.time
        case .positionChanged(let e): return e.time
        case .marginWarning(let e): return e.time
        case .liquidation(let e): return e.time
        case .regimeShift(let e): return e.time
        case .control(let e): return e.time
        case .timer(let time): return time
        case .venueState(let e): return e.time
        case .reconciliationFailed(let e): return e.time
        }
    }

    /// True for a trade (the bulk of the traffic).
    public var isTick: Bool {
        if case .tick = self { return true }
        return false
    }

    /// Short name for logs and metrics.
    public var kind: String {
        switch self {
        case .tick: return "tick"
        case .barClosed: return "barClosed"
        case .orderAccepted: return "orderAccepted"
        case .orderRejected: return "orderRejected"
        case .orderFilled: return "orderFilled"
        case .orderCanceled: return "orderCanceled"
        case .positionChanged: return "positionChanged"
        case .marginWarning: return "marginWarning"
        case .liquidation: return "liquidation"
        case .regimeShift: return "regimeShift"
        case .control: return "control"
        case .timer: return "timer"
        case .venueState: return "venueState"
        case .reconciliationFailed: return "reconciliationFailed"
        }
    }
}
