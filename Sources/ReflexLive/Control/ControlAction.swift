public import ReflexCore

/// What the operator can ask through `POST /control/<action>`.
public enum OperatorRequest: Sendable, Hashable {
    case mode(TradingMode)
    case pause
    case resume
    case flatten
    case status

    /// Parses the path after `/control/` (`mode/range`, `pause`, `status`, …).
    public init?(path: String) {
        let parts = path.split(separator: "/").map(String.init)
        switch parts.first {
        case "mode"?:
            guard parts.count == 2, let mode = TradingMode(rawValue: parts[1]) else { return nil }
            self = .mode(mode)
        case "pause"? where parts.count == 1: self = .pause
        case "resume"? where parts.count == 1: self = .resume
        case "flatten"? where parts.count == 1: self = .flatten
        case "status"? where parts.count == 1: self = .status
        default: return nil
        }
    }

    /// The path after `/control/`.
    public var path: String {
        switch self {
        case .mode(let m): return "mode/\(m.rawValue)"
        case .pause: return "pause"
        case .resume: return "resume"
        case .flatten: return "flatten"
        case .status: return "status"
        }
    }

    /// The engine action, if this request changes anything.
    public var action: ControlAction? {
        switch self {
        case .mode(let m): return .setMode(m)
        case .pause: return .pause
        case .resume: return .resume
        case .flatten: return .flatten
        case .status: return nil
        }
    }
}
