public import Hummingbird
public import SpoolCore

/// An error answered as JSON: `{"error": {"code": "...", "message": "...", "field": "..."}}`, the field
/// only when one field of the request is at fault.
public struct APIError: Error, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable word for programs: `invalid_argument`, `not_found`, `conflict`, and so on.
    public var code: String
    /// One line for people.
    public var message: String
    /// The request field at fault, if one is.
    public var field: String?

    /// An error with every part given.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// A request that is not valid: 400 `invalid_argument`.
    public static func invalid(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, "invalid_argument", message, field: field)
    }

    /// What a ``SpoolError`` means to a client. A reason that starts with a field name (`queue: must
    /// match …`) names that field.
    public init(_ error: SpoolError) {
        let message = error.message
        let field = APIError.leadingField(of: message)
        switch error.code {
        case .invalidArgument: self.init(.badRequest, "invalid_argument", message, field: field)
        case .notFound: self.init(.notFound, "not_found", message)
        case .alreadyExists: self.init(.conflict, "conflict", message, field: field)
        case .wrongState: self.init(.conflict, "wrong_state", message)
        case .noSpace:
            self.init(HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), "no_space", message)
        case .readOnly, .permissionDenied: self.init(.serviceUnavailable, "read_only", message)
        case .timedOut: self.init(.serviceUnavailable, "timed_out", message)
        default: self.init(.internalServerError, "internal", message)
        }
    }

    /// The JSON body.
    var json: JSONValue {
        var members = [JSONMember("code", .string(code)), JSONMember("message", .string(message))]
        if let field { members.append(JSONMember("field", .string(field))) }
        return .object([JSONMember("error", .object(members))])
    }

    /// `queue` in `queue: must match …`, or `task 2 of 3: queue: …` (a field of a task in a batch).
    private static func leadingField(of message: String) -> String? {
        var rest = Substring(message)
        if rest.hasPrefix("task "), let colon = rest.firstRange(of: ": ") { rest = rest[colon.upperBound...] }
        guard let colon = rest.firstRange(of: ": ") else { return nil }
        let name = rest[..<colon.lowerBound]
        guard !name.isEmpty, name.count <= 64,
            name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == ".") })
        else { return nil }
        return String(name)
    }
}

extension APIError: ResponseGenerator {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody(status, json).response()
    }
}
