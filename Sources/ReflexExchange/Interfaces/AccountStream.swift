public import ReflexCore
public import ServiceLifecycle

/// A venue's private event feed (fills, order state, positions, margin), already translated into engine events.
///
/// Run it as a `Service`; `events` finishes when the service stops. It has a single consumer (the engine).
public protocol AccountStream: Service {
    /// Order, position, margin and liquidation events, in the venue's order.
    var events: AsyncStream<EngineEvent> { get }
}
