public import SpoolCore

/// The words of a listing's filters, shared by `spoolctl list` and the HTTP API.
public enum QuerySyntax {
    /// What ``time(_:now:)`` accepts, for error messages.
    public static let timeExpectation = "an RFC 3339 time, Unix seconds, or a duration: 2h (ago) or +30m (from now)"

    /// A time: RFC 3339, Unix seconds, or a duration before `now` (`2h`, or `-2h`) or after it (`+30m`);
    /// `nil` if `text` is none of them.
    public static func time(_ text: String, now: Timestamp) -> Timestamp? {
        if let time = Timestamp(rfc3339: text) { return time }
        if let seconds = Double(text), seconds >= 0, seconds <= 253_402_300_799 { return Timestamp(seconds: seconds) }
        let later = text.first == "+"
        let duration = text.first == "+" || text.first == "-" ? String(text.dropFirst()) : text
        guard let seconds = DurationSyntax.seconds(duration), seconds >= 0, seconds <= DurationSyntax.longest else {
            return nil
        }
        return now.adding(seconds: later ? seconds : -seconds)
    }

    /// A payload condition `FIELD=VALUE` (`customer.id=42`): the field's path and the value, read as JSON
    /// when it is JSON and as a string otherwise; `nil` with the reason when `text` is not one.
    public static func payloadCondition(_ text: String) -> Result<(field: [String], value: JSONValue), ConditionError> {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            return .failure(ConditionError(reason: "must be FIELD=VALUE, such as customer.id=42"))
        }
        let field = text[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard field.allSatisfy({ !$0.isEmpty }) else {
            return .failure(ConditionError(reason: "the field \(text[..<equals]) has an empty part"))
        }
        let value = String(text[text.index(after: equals)...])
        return .success((field, (try? JSONParser.parse(Array(value.utf8))) ?? .string(value)))
    }

    /// Why a payload condition was refused.
    public struct ConditionError: Error, Sendable {
        /// One line.
        public var reason: String
    }
}
