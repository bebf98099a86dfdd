public import ReflexCore

/// One record of a recorded tape: a trade, or a regime switch recorded live.
public enum TapeItem: Sendable, Hashable {
    case tick(Tick)
    case regimeShift(RegimeShift)
}
