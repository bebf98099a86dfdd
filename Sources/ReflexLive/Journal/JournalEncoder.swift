import Foundation

/// Writes an `Encodable` value as compact JSON that `JSONDecoder` reads back to the same value, straight into the
/// journal's byte buffer.
///
/// Foundation's `JSONEncoder` took about 45 µs for one event or command in the live loop (boxing every value and
/// casting it back), on the event loop that also reads the market; this one builds a small tree of the containers
/// and prints it. It covers what Reflex's own types encode to (strings, numbers, booleans, null, keyed and unkeyed
/// containers, nested and super encoders) and refuses the types `JSONEncoder` treats specially (`Date`, `Data`,
/// `URL`, `Decimal`), whose plain `Codable` form would not read back the same way.
struct JournalEncoder {
    /// Appends `value` as one line of JSON (no newline) to `bytes`; on error nothing is appended.
    func encode<Value: Encodable>(_ value: Value, into bytes: inout [UInt8]) throws {
        let root = Slot()
        try TreeEncoder(slot: root, codingPath: []).encodeValue(value)
        root.write(into: &bytes)
    }
}

/// Where one value goes: filled when it is encoded, possibly after its parent container was made.
private final class Slot {
    var node: Node?

    func write(into bytes: inout [UInt8]) {
        // A value that encoded nothing reads back as an empty object, as with JSONEncoder.
        (node ?? .object(ObjectBox())).write(into: &bytes)
    }
}

private final class ObjectBox {
    var keys: [String] = []
    var values: [String: Node] = [:]

    func set(_ key: String, _ node: Node) {
        if values.updateValue(node, forKey: key) == nil { keys.append(key) }
    }
}

private final class ArrayBox {
    var items: [Node] = []
}

private enum Node {
    /// JSON text, already printed (a number, a string literal, `true`, `false`, `null`).
    case literal([UInt8])
    case object(ObjectBox)
    case array(ArrayBox)
    /// A super encoder's value, known only once it has been used.
    case slot(Slot)

    func write(into bytes: inout [UInt8]) {
        switch self {
        case .literal(let text):
            bytes.append(contentsOf: text)
        case .object(let box):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in box.keys.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONLiteral.appendString(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                box.values[key]!.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let box):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in box.items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                item.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .slot(let slot):
            slot.write(into: &bytes)
        }
    }
}

private enum JSONLiteral {
    static func string(_ value: String) -> Node {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 2)
        appendString(value, to: &bytes)
        return .literal(bytes)
    }

    static func appendString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case 10: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)  // UTF-8 passes through: JSON text is UTF-8
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    static func integer(_ value: some BinaryInteger) -> Node { .literal(Array(String(value).utf8)) }

    static func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: F, path: [any CodingKey]
    ) throws -> Node {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: path, debugDescription: "\(value) is not representable in JSON"))
        }
        // Swift prints the shortest text that reads back as the same value (`0.1`, `1e-05`): valid JSON numbers.
        return .literal(Array(value.description.utf8))
    }
}

private struct TreeEncoder: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func encodeValue<Value: Encodable>(_ value: Value) throws {
        if Value.self == Date.self || Value.self == Data.self || Value.self == URL.self || Value.self == Decimal.self {
            throw EncodingError.invalidValue(
                value,
                .init(
                    codingPath: codingPath,
                    debugDescription: "\(Value.self) is encoded specially by JSONEncoder; the journal does not use it"))
        }
        try value.encode(to: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: ObjectBox
        if case .object(let existing) = slot.node {
            box = existing
        } else {
            box = ObjectBox()
            slot.node = .object(box)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: ArrayBox
        if case .array(let existing) = slot.node {
            box = existing
        } else {
            box = ArrayBox()
            slot.node = .array(box)
        }
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ObjectBox
    let codingPath: [any CodingKey]

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .literal(Array("null".utf8))) }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        box.set(key.stringValue, .literal(Array((value ? "true" : "false").utf8)))
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        box.set(key.stringValue, JSONLiteral.string(value))
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        box.set(key.stringValue, try JSONLiteral.floatingPoint(value, path: path(key)))
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        box.set(key.stringValue, try JSONLiteral.floatingPoint(value, path: path(key)))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.set(key.stringValue, JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { box.set(key.stringValue, JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        box.set(key.stringValue, JSONLiteral.integer(value))
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        box.set(key.stringValue, JSONLiteral.integer(value))
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        box.set(key.stringValue, JSONLiteral.integer(value))
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws { box.set(key.stringValue, JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        box.set(key.stringValue, JSONLiteral.integer(value))
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        box.set(key.stringValue, JSONLiteral.integer(value))
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        box.set(key.stringValue, JSONLiteral.integer(value))
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        box.set(key.stringValue, JSONLiteral.integer(value))
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = Slot()
        try TreeEncoder(slot: child, codingPath: path(key)).encodeValue(value)
        box.set(key.stringValue, child.node ?? .object(ObjectBox()))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        // The same key asked for twice gives the same container, as with JSONEncoder (nothing written is lost).
        let nested: ObjectBox
        if case .object(let existing) = box.values[key.stringValue] {
            nested = existing
        } else {
            nested = ObjectBox()
            box.set(key.stringValue, .object(nested))
        }
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: nested, codingPath: path(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested: ArrayBox
        if case .array(let existing) = box.values[key.stringValue] {
            nested = existing
        } else {
            nested = ArrayBox()
            box.set(key.stringValue, .array(nested))
        }
        return UnkeyedContainer(box: nested, codingPath: path(key))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> any Encoder {
        let child = Slot()
        box.set(name, .slot(child))
        return TreeEncoder(slot: child, codingPath: codingPath + [JournalCodingKey(name)])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: ArrayBox
    let codingPath: [any CodingKey]
    var count: Int { box.items.count }

    private var nextPath: [any CodingKey] { codingPath + [JournalCodingKey(index: box.items.count)] }

    mutating func encodeNil() throws { box.items.append(.literal(Array("null".utf8))) }
    mutating func encode(_ value: Bool) throws { box.items.append(.literal(Array((value ? "true" : "false").utf8))) }
    mutating func encode(_ value: String) throws { box.items.append(JSONLiteral.string(value)) }
    mutating func encode(_ value: Double) throws {
        box.items.append(try JSONLiteral.floatingPoint(value, path: nextPath))
    }
    mutating func encode(_ value: Float) throws {
        box.items.append(try JSONLiteral.floatingPoint(value, path: nextPath))
    }
    mutating func encode(_ value: Int) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int8) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int16) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int32) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int64) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt8) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt16) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt32) throws { box.items.append(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt64) throws { box.items.append(JSONLiteral.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = Slot()
        try TreeEncoder(slot: child, codingPath: nextPath).encodeValue(value)
        box.items.append(child.node ?? .object(ObjectBox()))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectBox()
        let path = nextPath
        box.items.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayBox()
        let path = nextPath
        box.items.append(.array(nested))
        return UnkeyedContainer(box: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = Slot()
        let path = nextPath
        box.items.append(.slot(child))
        return TreeEncoder(slot: child, codingPath: path)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ node: Node) { encoder.slot.node = node }

    mutating func encodeNil() throws { set(.literal(Array("null".utf8))) }
    mutating func encode(_ value: Bool) throws { set(.literal(Array((value ? "true" : "false").utf8))) }
    mutating func encode(_ value: String) throws { set(JSONLiteral.string(value)) }
    mutating func encode(_ value: Double) throws { set(try JSONLiteral.floatingPoint(value, path: codingPath)) }
    mutating func encode(_ value: Float) throws { set(try JSONLiteral.floatingPoint(value, path: codingPath)) }
    mutating func encode(_ value: Int) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int8) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int16) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int32) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: Int64) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt8) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt16) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt32) throws { set(JSONLiteral.integer(value)) }
    mutating func encode(_ value: UInt64) throws { set(JSONLiteral.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
}

private struct JournalCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }
    init?(intValue: Int) { self.init(index: intValue) }
}
