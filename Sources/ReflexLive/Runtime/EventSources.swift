public import ReflexCore
public import ReflexExchange
public import ServiceLifecycle

/// Feeds a market stream's ticks into the runtime as market `market`'s, in order, in the task that read them off
/// the socket.
public struct TickFeed: Service {
    let stream: any MarketStream
    let runtime: TradingRuntime
    let market: Int
    public init(stream: any MarketStream, runtime: TradingRuntime, market: Int = 0) {
        self.stream = stream
        self.runtime = runtime
        self.market = market
    }
    public func run() async throws {
        let market = market
        try await stream.run { tick, received in runtime.deliver(tick: tick, market: market, arrived: received) }
    }
}

/// Feeds one connection's trades of several markets into the runtime (the stream's symbols in market order).
public struct MarketsTickFeed: Service {
    let stream: any MultiMarketStream
    let runtime: TradingRuntime
    public init(stream: any MultiMarketStream, runtime: TradingRuntime) {
        self.stream = stream
        self.runtime = runtime
    }
    public func run() async throws {
        try await stream.run { market, tick, received in
            runtime.deliver(tick: tick, market: market, arrived: received)
        }
    }
}

/// Feeds an account stream's events (fills, order states, positions, margin calls) into the runtime.
public struct AccountFeed: Service {
    let stream: any AccountStream
    let runtime: TradingRuntime
    public init(stream: any AccountStream, runtime: TradingRuntime) {
        self.stream = stream
        self.runtime = runtime
    }
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await stream.run() }
            for await event in stream.events.cancelOnGracefulShutdown() { runtime.deliver(event) }
            group.cancelAll()
        }
    }
}

/// An engine event every `interval`, made at the moment it is due from the wall clock.
public struct PeriodicEvent: Service {
    let runtime: TradingRuntime
    let interval: Duration
    let now: @Sendable () -> Timestamp
    let event: @Sendable (Timestamp) -> EngineEvent

    public init(
        runtime: TradingRuntime, every interval: Duration, now: @escaping @Sendable () -> Timestamp,
        event: @escaping @Sendable (Timestamp) -> EngineEvent
    ) {
        self.runtime = runtime
        self.interval = interval
        self.now = now
        self.event = event
    }

    /// A `timer` event every second, so time-driven rules (daily loss window, the order budget's clock, a snapshot
    /// that keeps disagreeing) run even without trades.
    public static func engineTimer(
        runtime: TradingRuntime, interval: Duration = .seconds(1), now: @escaping @Sendable () -> Timestamp
    ) -> PeriodicEvent {
        PeriodicEvent(runtime: runtime, every: interval, now: now) { .timer($0) }
    }

    /// A reconciliation every `interval`: a difference nothing else revealed (a missed account-stream event, an
    /// order changed by hand) is found and adopted within that time.
    public static func reconciliation(
        runtime: TradingRuntime, interval: Duration = .seconds(30), now: @escaping @Sendable () -> Timestamp
    ) -> PeriodicEvent {
        PeriodicEvent(runtime: runtime, every: interval, now: now) {
            .control(ControlCommand(action: .reconcile, source: "periodic", time: $0))
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            runtime.deliver(event(now()))
        }
    }
}
