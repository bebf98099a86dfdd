/// Rewrites JSON number text with an exponent (`1.68e-06`) as a plain decimal (`0.00000168`), by moving the
/// decimal point in the text: exact, no floating point.
enum DecimalText {
    /// The plain form of `text`, or nil when it is not a number; text without an exponent comes back unchanged.
    static func plain(_ text: String) -> String? {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        guard let exponent = Int(text[text.index(after: e)...]), abs(exponent) < 40 else { return nil }
        var mantissa = Substring(text[..<e])
        var sign = ""
        if mantissa.first == "-" || mantissa.first == "+" {
            if mantissa.first == "-" { sign = "-" }
            mantissa = mantissa.dropFirst()
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let integerPart = parts.first else { return nil }
        let fractionPart = parts.count == 2 ? parts[1] : ""
        var digits = Array(integerPart + fractionPart)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        var point = integerPart.count + exponent
        if point <= 0 {
            digits.insert(contentsOf: Array(repeating: "0", count: 1 - point), at: 0)
            point = 1
        }
        if point > digits.count {
            digits.append(contentsOf: Array(repeating: "0", count: point - digits.count))
        }
        let whole = String(digits[..<point])
        let fraction = String(digits[point...])
        return sign + (fraction.isEmpty ? whole : whole + "." + fraction)
    }
}
