import Hummingbird
import SpoolCore

/// Answers a dashboard request that failed with a page saying why, rather than the API's JSON: an invalid
/// id, a task not found, an action the task's state does not allow, a stale form.
struct DashboardErrorPages: RouterMiddleware {
    typealias Context = SpoolRequestContext

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let status: HTTPResponse.Status
        let message: String
        do {
            return try await next(request, context)
        } catch let error as APIError {
            (status, message) = (error.status, error.message)
        } catch let error as SpoolError {
            let answer = APIError(error)
            (status, message) = (answer.status, answer.message)
        } catch let error as HTTPError where error.status == .notFound {
            (status, message) = (error.status, "There is no page at \(request.uri.path).")
        }
        let model = ["heading": status.reasonPhrase, "message": message]
        return try DashboardTemplates.page("error", model, frame: PageFrame(title: status.reasonPhrase), status: status)
            .response(from: request, context: context)
    }
}
