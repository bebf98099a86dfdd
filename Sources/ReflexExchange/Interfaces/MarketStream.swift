public import ReflexCore
public import ServiceLifecycle

/// A venue's live trade tape for one instrument.
///
/// Run it as a `Service`; `ticks` then yields every trade once, in venue order, across reconnects. The sequence
/// finishes when the service stops. It has a single consumer (the engine).
public protocol MarketStream: Service {
    /// The instrument the tape belongs to, in the venue's spelling (`BTCUSDT`).
    var symbol: String { get }
    /// Trades in venue order, without gaps or duplicates.
    var ticks: AsyncStream<Tick> { get }
}
