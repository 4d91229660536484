import Hummingbird
import Synchronization

/// The methods each route path answers, learnt from the router once its routes are in, so that a request
/// with another method on a known path is answered 405 with `Allow`, not 404.
final class AllowedMethods: Sendable {
    private let routes = Mutex<[(path: [RouterPath.Element], methods: [HTTPRequest.Method])]>([])

    /// Learns the routes of `router`.
    func learn(from router: Router<some RequestContext>) {
        var table: [(path: [RouterPath.Element], methods: [HTTPRequest.Method])] = []
        for route in router.routes {
            if let index = table.firstIndex(where: { $0.path == route.path.components }) {
                table[index].methods.append(route.method)
            } else {
                table.append((route.path.components, [route.method]))
            }
        }
        routes.withLock { $0 = table }
    }

    /// The methods of the route matching `path`, by name; empty when no route matches it.
    func methods(for path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.withLock { routes in
            routes.first { route in
                route.path.count == parts.count && zip(route.path, parts).allSatisfy { $0 ~= $1 }
            }?.methods.map(\.rawValue).sorted() ?? []
        }
    }
}
