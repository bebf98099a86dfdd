import Logging
import ReflexCore
import ReflexExchange
import ReflexLive

/// Not an answer the execution layer gives to a placement.
struct UnexpectedPlacementEvent: Error { let event: EngineEvent }

extension ExchangeClient {
    /// Places `intent` as the runtime does: through the execution layer (filters at `referencePrice`, one
    /// submission, look-ups after an unknown outcome) over this adapter. An outcome that stays unknown is a
    /// rejection of kind `.outcomeUnknown`.
    func place(_ intent: OrderIntent, referencePrice: Price? = nil) async throws -> OrderPlacement {
        let execution = OrderExecution(client: self, logger: Logger(label: "test.execution"), now: { intent.time })
        switch await execution.execute(intent, referencePrice: referencePrice) {
        case .orderAccepted(let accepted): return .accepted(accepted)
        case .orderRejected(let rejected): return .rejected(rejected)
        case let other: throw UnexpectedPlacementEvent(event: other)
        }
    }
}
