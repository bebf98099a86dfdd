/// A forward-only cursor over JSON bytes for the trade hot path. It validates structure while skipping values,
/// but never builds strings or dictionaries.
struct JSONByteScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8 { index < bytes.count ? bytes[index] : 0 }
    var peekIsNumberStart: Bool {
        let byte = peek
        return byte == UInt8(ascii: "-") || (byte >= 48 && byte <= 57)
    }

    mutating func advance() { index += 1 }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return
            }
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// The raw content of a string (between the quotes, escapes untouched); scanner on the opening quote.
    mutating func stringRange() -> Range<Int>? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let range = start..<index
                index += 1
                return range
            }
            if byte == UInt8(ascii: "\\") { index += 1 }  // skip the escaped byte
            if byte < 0x20 { return nil }  // raw control characters are not allowed in JSON strings
            index += 1
        }
        return nil
    }

    /// True when the bytes in `range` are exactly `literal` (ASCII).
    func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != pointer[offset] {
            return false
        }
        return true
    }

    /// True when the bytes in `range` are exactly `text`'s UTF-8.
    func matches(_ range: Range<Int>, _ text: String) -> Bool {
        guard range.count == text.utf8.count else { return false }
        var offset = range.lowerBound
        for byte in text.utf8 {
            guard bytes[offset] == byte else { return false }
            offset += 1
        }
        return true
    }

    /// A JSON integer that fits `Int64`; nil on fractions, exponents or overflow.
    mutating func integer() -> Int64? {
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else { break }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(Int64(byte &- 48))
            guard !overflow1 && !overflow2 else { return nil }
            value = next
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        let byte = peek
        if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
        return negative ? -value : value
    }

    mutating func boolean() -> Bool? {
        if matchesLiteral("true") { return true }
        if matchesLiteral("false") { return false }
        return nil
    }

    private mutating func matchesLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count, matches(index..<(index + count), literal) else { return false }
        index += count
        return true
    }

    /// Skips any value (string, number, literal, object, array), checking brackets and quotes nest properly.
    mutating func skipValue() -> Bool {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "\""):
            return stringRange() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return skipContainer()
        case UInt8(ascii: "t"):
            return matchesLiteral("true")
        case UInt8(ascii: "f"):
            return matchesLiteral("false")
        case UInt8(ascii: "n"):
            return matchesLiteral("null")
        default:
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                    UInt8(ascii: "e"), UInt8(ascii: "E"):
                    index += 1
                default:
                    return index > start
                }
            }
            return index > start
        }
    }

    /// Skips a nested object or array by counting brackets outside strings.
    private mutating func skipContainer() -> Bool {
        var stack: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard stringRange() != nil else { return false }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                stack.append(byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard stack.last == byte else { return false }
                stack.removeLast()
                if stack.isEmpty {
                    index += 1
                    return true
                }
            default:
                break
            }
            index += 1
        }
        return false
    }
}
