import Hummingbird
import NIOCore

/// The fields of a form a browser posted (`application/x-www-form-urlencoded`), by name.
struct FormFields: Sendable {
    /// The fields in the order sent.
    let pairs: [(name: String, value: String)]

    /// The first value of the field `name`, if sent.
    subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// The value of `name` with the white space around it removed; `nil` when absent or blank, as a form
    /// sends a field left empty.
    func filled(_ name: String) -> String? {
        guard let value = self[name] else { return nil }
        let trimmed = String(value.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension Request {
    /// The fields of the form in the body, at most `limit` bytes: 413 when longer, 415 when it is not a form.
    /// The body is kept in the request, so that it can be read again.
    mutating func formFields(upTo limit: Int) async throws -> FormFields {
        let type = headers[.contentType]?.split(separator: ";").first?.filter { $0 != " " && $0 != "\t" }
        guard type?.lowercased() == "application/x-www-form-urlencoded" else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "the body must be a form")
        }
        do {
            let buffer = try await collectBody(upTo: limit)
            return FormFields(pairs: FormDecoding.pairs(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "too_large", "the form is larger than \(limit) bytes")
        }
    }
}
