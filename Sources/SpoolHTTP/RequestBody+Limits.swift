import Hummingbird
import NIOCore

extension Request {
    /// The body's bytes, at most `limit` of them: a longer body is answered 413 with a JSON reason.
    func bytes(upTo limit: Int) async throws -> [UInt8] {
        do {
            var buffer = try await body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "too_large", "the body is larger than \(limit) bytes")
        }
    }

    /// The body's bytes, when it is declared JSON (`Content-Type: application/json`); 415 otherwise, so
    /// that a browser form or a `text/plain` POST cannot stand for a JSON request.
    func jsonBytes(upTo limit: Int) async throws -> [UInt8] {
        let type = headers[.contentType]?.split(separator: ";").first?.filter { $0 != " " && $0 != "\t" }
        guard type?.lowercased() == "application/json" else {
            throw APIError(
                .unsupportedMediaType,
                "unsupported_media_type",
                "the body must be JSON, sent with Content-Type: application/json"
            )
        }
        return try await bytes(upTo: limit)
    }

    /// The parameters of the query string.
    var query: QueryParameters {
        QueryParameters(uri.queryParameters.map { (String($0.key), String($0.value)) })
    }

    /// The query parameter `name` as an integer in `range`, when given; 400 naming it otherwise.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        try query.integer(name, in: range)
    }

    /// The query parameter `name`, when given once; 400 when given several times.
    func parameter(_ name: String) throws -> String? {
        try query.parameter(name)
    }
}
