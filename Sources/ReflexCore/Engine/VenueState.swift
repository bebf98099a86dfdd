/// What the venue holds for one symbol, read over REST for reconciliation: the position and the open orders,
/// read together so the engine can tell which fills the read already contains.
public struct VenueState: Hashable, Sendable, Codable {
    /// One open order as the venue lists it.
    public struct OpenOrder: Hashable, Sendable, Codable {
        public var clientOrderID: ClientOrderID
        /// Filled so far: the part of this order's fills that the position read already contains.
        public var filledQuantity: Quantity
        /// A conditional (stop / take-profit) order: cancelled on its own endpoint.
        public var conditional: Bool
        public init(clientOrderID: ClientOrderID, filledQuantity: Quantity, conditional: Bool) {
            self.clientOrderID = clientOrderID
            self.filledQuantity = filledQuantity
            self.conditional = conditional
        }
    }

    public var symbol: String
    /// Signed venue position.
    public var quantity: Quantity
    public var entryPrice: Price
    public var openOrders: [OpenOrder]
    /// The engine's order sequence when the read was asked for: every fill of an order numbered up to this one that
    /// is not open at the venue any more is contained in `quantity` (see ``ReconcileRequest/fenceSequence``).
    public var fenceSequence: Int64
    /// Why the read was made (start-up, periodic, a rejected exit).
    public var reason: String
    /// The request this answers (``ReconcileRequest/id``): an answer to an older request, overtaken by a newer one,
    /// is ignored. Nil for a read nobody asked the engine for (tests).
    public var requestID: Int64?
    public var time: Timestamp

    public init(
        symbol: String, quantity: Quantity, entryPrice: Price, openOrders: [OpenOrder], fenceSequence: Int64,
        reason: String, requestID: Int64? = nil, time: Timestamp
    ) {
        self.symbol = symbol
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.openOrders = openOrders
        self.fenceSequence = fenceSequence
        self.reason = reason
        self.requestID = requestID
        self.time = time
    }
}

/// The engine asks the runtime to read the venue's position and open orders (``EngineCommand/reconcile(_:)``).
/// Until the answer comes (``EngineEvent/venueState(_:)``) the engine places no entry or exit for the symbol, so
/// the read and the engine's order sequence agree on which orders it can contain (protection still goes: see
/// ``Engine``'s `place`).
public struct ReconcileRequest: Hashable, Sendable, Codable {
    /// Running number of the engine's requests; the answer carries it back.
    public var id: Int64
    public var symbol: String
    public var reason: String
    /// The highest order sequence the engine had used when it asked.
    public var fenceSequence: Int64
    public init(id: Int64, symbol: String, reason: String, fenceSequence: Int64) {
        self.id = id
        self.symbol = symbol
        self.reason = reason
        self.fenceSequence = fenceSequence
    }
}

/// The venue could not be read for reconciliation; the engine asks again a few seconds later.
public struct ReconciliationFailed: Hashable, Sendable, Codable {
    public var symbol: String
    public var reason: String
    public var time: Timestamp
    public init(symbol: String, reason: String, time: Timestamp) {
        self.symbol = symbol
        self.reason = reason
        self.time = time
    }
}
