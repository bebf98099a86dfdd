/// Checks the shape of an RFC 3339 date-time (`2024-08-08T23:54:00.123Z`, `…+02:00`).
///
/// The envelope `timestamp` is informational (each event carries its own `time`), so only its form is checked.
enum RFC3339 {
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return false }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard digits(0..<4) != nil, bytes[4] == 45, let month = digits(5..<7), bytes[7] == 45, let day = digits(8..<10),
            bytes[10] == 84 || bytes[10] == 116, let hour = digits(11..<13), bytes[13] == 58,
            let minute = digits(14..<16), bytes[16] == 58, let second = digits(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return false }
        var index = 19
        if bytes[index] == 46 {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            guard index > start else { return false }
        }
        guard index < bytes.count else { return false }
        if bytes[index] == 90 || bytes[index] == 122 { return index + 1 == bytes.count }
        guard bytes[index] == 43 || bytes[index] == 45, index + 6 == bytes.count,
            let offsetHour = digits(
                (index + 1)..<(index + 3)), bytes[index + 3] == 58, let offsetMinute = digits((index + 4)..<(index + 6))
        else { return false }
        return offsetHour < 24 && offsetMinute < 60
    }
}
