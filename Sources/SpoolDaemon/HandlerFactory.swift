import SpoolConfig
import SpoolHandlers
import SpoolWorker

/// Builds the handlers a configuration routes to, on top of the in-process ones of an embedding app.
struct HandlerFactory {
    let spoolRoot: String
    let client: SharedHTTPClient

    /// `embedded` with every route and queue handler of `configuration` added; a configured route wins
    /// over an in-process handler of the same type.
    func handlers(for configuration: DaemonConfiguration, embedded: TaskHandlers) -> TaskHandlers {
        var handlers = embedded
        var built: [String: TaskHandlers.Handler] = [:]
        for (name, spec) in configuration.handlers {
            switch spec {
            case .exec(let exec):
                let handler = ExecHandler(spec: exec, spoolRoot: spoolRoot)
                built[name] = { context in try await handler.run(context) }
            case .http(let http):
                let handler = HTTPCallbackHandler(spec: http, client: client.get())
                built[name] = { context in try await handler.run(context) }
            }
        }
        for (type, name) in configuration.routes {
            if let handler = built[name] { handlers.register(type, handler) }
        }
        for (queue, name) in configuration.queueHandlers {
            if let handler = built[name] { handlers.register(queue: queue, handler) }
        }
        return handlers
    }
}
