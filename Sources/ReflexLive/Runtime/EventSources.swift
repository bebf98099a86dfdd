public import ReflexCore
public import ReflexExchange
public import ServiceLifecycle

/// Feeds a market stream's ticks into the runtime, in order, in the task that read them off the socket.
public struct TickFeed: Service {
    let stream: any MarketStream
    let runtime: TradingRuntime
    public init(stream: any MarketStream, runtime: TradingRuntime) {
        self.stream = stream
        self.runtime = runtime
    }
    public func run() async throws {
        try await stream.run { tick, received in runtime.deliver(tick: tick, arrived: received) }
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

/// A `timer` event every `interval`, so time-driven rules (daily loss window) run even without trades.
public struct EngineTimer: Service {
    let runtime: TradingRuntime
    let interval: Duration
    let now: @Sendable () -> Timestamp
    public init(runtime: TradingRuntime, interval: Duration = .seconds(1), now: @escaping @Sendable () -> Timestamp) {
        self.runtime = runtime
        self.interval = interval
        self.now = now
    }
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: interval)
            runtime.deliver(.timer(now()))
        }
    }
}

/// Asks the engine to reconcile with the venue every `interval`: a difference nothing else revealed (a missed
/// account-stream event, an order changed by hand) is found and adopted within that time.
public struct ReconciliationTimer: Service {
    let runtime: TradingRuntime
    let interval: Duration
    let now: @Sendable () -> Timestamp
    public init(runtime: TradingRuntime, interval: Duration = .seconds(30), now: @escaping @Sendable () -> Timestamp) {
        self.runtime = runtime
        self.interval = interval
        self.now = now
    }
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            runtime.deliver(.control(ControlCommand(action: .reconcile, source: "periodic", time: now())))
        }
    }
}
