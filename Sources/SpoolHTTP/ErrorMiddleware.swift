import Hummingbird
import Logging
import SpoolCore

/// Answers every error as JSON in the shape of ``APIError``: Spool's own errors, Hummingbird's (an
/// unknown route is a JSON 404), and any other (a 500 that says no more than that, logged).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The methods of the known paths, for a 405.
    let allowed: AllowedMethods

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONBody(error.status, error.json).response()
        } catch let error as SpoolError {
            let answer = APIError(error)
            return JSONBody(answer.status, answer.json).response()
        } catch let error as HTTPError
            where error.status == .notFound && !allowed.methods(for: request.uri.path).isEmpty
        {
            let methods = allowed.methods(for: request.uri.path)
            let answer = APIError(
                .methodNotAllowed,
                "method_not_allowed",
                "\(request.uri.path) answers \(methods.joined(separator: ", ")), not \(request.method)"
            )
            var response = JSONBody(answer.status, answer.json).response()
            response.headers[.allow] = methods.joined(separator: ", ")
            return response
        } catch let error as HTTPError {
            let answer = APIError(
                error.status,
                Self.code(for: error.status),
                error.body
                    ?? (error.status == .notFound
                        ? "no such route: \(request.method) \(request.uri.path)"
                        : error.status.reasonPhrase)
            )
            var response = JSONBody(answer.status, answer.json).response()
            for field in error.headers where field.name != .contentType { response.headers.append(field) }
            return response
        } catch {
            context.logger.error("request failed", metadata: ["spool.error": "\(error)"])
            let answer = APIError(.internalServerError, "internal", "the request failed on the server")
            return JSONBody(answer.status, answer.json).response()
        }
    }

    /// The code word for a status Hummingbird answers with.
    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "too_large"
        case .badRequest: "invalid_argument"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .unsupportedMediaType: "unsupported_media_type"
        case .tooManyRequests: "too_many_requests"
        default: status.code >= 500 ? "internal" : "error"
        }
    }
}
