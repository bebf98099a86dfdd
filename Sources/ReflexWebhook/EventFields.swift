import ReflexCore

/// Reads typed fields out of one JSON object, naming the field (`data.price`) in every error.
///
/// Absent and `null` mean the same for optional fields; a required field that is either is "missing".
struct EventFields {
    /// Which signs a decimal may have.
    enum SignRule {
        case positive
        case nonNegative
        case any
    }

    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) throws(WebhookRejection) {
        guard case .object = value else {
            throw WebhookRejection(.invalid, field: path, "must be an object, not \(value.typeName)")
        }
        self.value = value
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func present(_ key: String) -> JSONValue? {
        guard let member = value[key], member != .null else { return nil }
        return member
    }

    private func required(_ key: String) throws(WebhookRejection) -> JSONValue {
        guard let member = present(key) else { throw WebhookRejection(.invalid, field: name(key), "missing") }
        return member
    }

    func string(_ key: String, maxLength: Int = 256) throws(WebhookRejection) -> String {
        guard case .string(let text) = try required(key) else {
            throw WebhookRejection(.invalid, field: name(key), "must be a string")
        }
        guard !text.isEmpty else { throw WebhookRejection(.invalid, field: name(key), "must not be empty") }
        guard text.utf8.count <= maxLength else {
            throw WebhookRejection(.invalid, field: name(key), "longer than \(maxLength) bytes")
        }
        return text
    }

    func optionalString(_ key: String, maxLength: Int = 256) throws(WebhookRejection) -> String? {
        guard present(key) != nil else { return nil }
        return try string(key, maxLength: maxLength)
    }

    /// One of a fixed set of words (`BUY`, `FILLED`, `trend`).
    func choice<T>(_ key: String, _ options: [String: T]) throws(WebhookRejection) -> T {
        let text = try string(key, maxLength: 64)
        guard let choice = options[text] else {
            let allowed = options.keys.sorted().joined(separator: ", ")
            throw WebhookRejection(.invalid, field: name(key), "must be one of \(allowed)")
        }
        return choice
    }

    /// An id that venues send either as a string or as an integer (Binance order and trade ids).
    func identifier(_ key: String) throws(WebhookRejection) -> String {
        switch try required(key) {
        case .string(let text) where !text.isEmpty && text.utf8.count <= 64 && Self.isPrintableASCII(text):
            return text
        case .number(let lexeme) where lexeme.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) && lexeme.utf8.count <= 20:
            return lexeme
        default:
            throw WebhookRejection(.invalid, field: name(key), "must be 1-64 printable ASCII characters or an integer")
        }
    }

    func optionalIdentifier(_ key: String) throws(WebhookRejection) -> String? {
        guard present(key) != nil else { return nil }
        return try identifier(key)
    }

    /// An exact decimal, from a string (`"61800.30"`) or a plain JSON number; never via `Double`.
    func decimal<T: FixedPointValue>(_ key: String, _ sign: SignRule, as _: T.Type = T.self) throws(WebhookRejection)
        -> T
    {
        let text: String
        switch try required(key) {
        case .string(let string): text = string
        case .number(let lexeme): text = lexeme
        default: throw WebhookRejection(.invalid, field: name(key), "must be a decimal string such as \"61800.30\"")
        }
        guard let value = T(text) else {
            throw WebhookRejection(
                .invalid, field: name(key), "must be a finite plain decimal with at most 8 decimals (no exponent)")
        }
        switch sign {
        case .positive where value.raw <= 0:
            throw WebhookRejection(.invalid, field: name(key), "must be positive")
        case .nonNegative where value.raw < 0:
            throw WebhookRejection(.invalid, field: name(key), "must not be negative")
        default: return value
        }
    }

    func optionalDecimal<T: FixedPointValue>(_ key: String, _ sign: SignRule, as _: T.Type = T.self)
        throws(WebhookRejection) -> T?
    {
        guard present(key) != nil else { return nil }
        return try decimal(key, sign, as: T.self)
    }

    /// A non-negative ratio; read exactly, then converted (the engine keeps ratios as `Double`).
    func ratio(_ key: String) throws(WebhookRejection) -> Double {
        try decimal(key, .nonNegative, as: Price.self).doubleValue
    }

    func optionalRatio(_ key: String) throws(WebhookRejection) -> Double? {
        guard present(key) != nil else { return nil }
        return try ratio(key)
    }

    /// Unix milliseconds, as an integer or a string of digits.
    func milliseconds(_ key: String) throws(WebhookRejection) -> Timestamp {
        let text: String
        switch try required(key) {
        case .number(let lexeme): text = lexeme
        case .string(let string): text = string
        default: throw WebhookRejection(.invalid, field: name(key), "must be unix milliseconds")
        }
        // Bounded (year 2255) so the conversion to nanoseconds cannot overflow.
        guard text.utf8.count <= 13, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int64(text), value > 0,
            value <= 9_000_000_000_000
        else { throw WebhookRejection(.invalid, field: name(key), "must be positive integer unix milliseconds") }
        return .milliseconds(value)
    }

    /// An instrument symbol: one of `allowed` when given, otherwise any well-formed symbol.
    func symbol(_ key: String, allowed: Set<String>?) throws(WebhookRejection) -> String {
        let text = try string(key, maxLength: 40)
        guard Self.isWellFormedSymbol(text) else {
            throw WebhookRejection(.invalid, field: name(key), "must be an upper-case symbol such as BTCUSDT")
        }
        if let allowed, !allowed.contains(text) {
            throw WebhookRejection(.invalid, field: name(key), "symbol \(text) is not configured")
        }
        return text
    }

    /// A symbol that may be left out (a regime shift for every market).
    func optionalSymbol(_ key: String, allowed: Set<String>?) throws(WebhookRejection) -> String? {
        guard present(key) != nil else { return nil }
        return try symbol(key, allowed: allowed)
    }

    /// `A-Z`, `0-9` and `._-`, starting with a letter or digit (Binance, Bybit and Deribit names all fit).
    static func isWellFormedSymbol(_ text: String) -> Bool {
        guard let first = text.utf8.first, isUpperAlphanumeric(first), text.utf8.count <= 40 else { return false }
        return text.utf8.allSatisfy { isUpperAlphanumeric($0) || $0 == 46 || $0 == 95 || $0 == 45 }
    }

    private static func isUpperAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90)
    }

    static func isPrintableASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } }
}
