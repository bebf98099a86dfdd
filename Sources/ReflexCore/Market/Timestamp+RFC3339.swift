extension Timestamp {
    /// RFC 3339 UTC with milliseconds (`2024-08-08T23:54:16.322Z`), computed without a formatter object: exact,
    /// allocation-light and safe from any thread (a Foundation `ISO8601DateFormatter` costs tens of microseconds to
    /// create, and logs and webhooks need one per line).
    public var rfc3339: String {
        var milliseconds = self.milliseconds
        if nanoseconds < 0 && nanoseconds % 1_000_000 != 0 { milliseconds -= 1 }  // floor, not truncate
        var days = milliseconds / 86_400_000
        var rest = milliseconds % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        // Howard Hinnant's civil-from-days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func field(_ value: Int64, _ width: Int, then separator: Unicode.Scalar) {
            FixedPoint.appendDecimal(UInt64(max(0, value)), minimumDigits: width, to: &bytes)
            bytes.append(UInt8(ascii: separator))
        }
        field(year, 4, then: "-")
        field(month, 2, then: "-")
        field(day, 2, then: "T")
        field(rest / 3_600_000, 2, then: ":")
        field(rest / 60_000 % 60, 2, then: ":")
        field(rest / 1000 % 60, 2, then: ".")
        field(rest % 1000, 3, then: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }
}
