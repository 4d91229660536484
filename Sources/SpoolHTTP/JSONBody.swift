public import Hummingbird
public import SpoolCore

/// A JSON response of Spool's own JSON writer.
public struct JSONBody: ResponseGenerator, Sendable {
    /// The status.
    public var status: HTTPResponse.Status
    /// The document.
    public var body: JSONValue

    /// A response of `status` with `body`.
    public init(_ status: HTTPResponse.Status = .ok, _ body: JSONValue) {
        self.status = status
        self.body = body
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The response, with `Content-Type: application/json`.
    func response() -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.encode(body) + [UInt8(ascii: "\n")]))
        )
    }
}
