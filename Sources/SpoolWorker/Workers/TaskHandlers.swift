public import SpoolCore

/// In-process handlers, registered by task `type` (or for every type of a queue), and hooks run around
/// every attempt, as a Celery or Machinery user would expect.
public struct TaskHandlers: Sendable {
    /// A handler: returns the task's result (or `nil` for none), or throws to fail the attempt
    /// (``HandlerFailure`` chooses a retry delay or a permanent failure; any other error is retried by backoff).
    public typealias Handler = @Sendable (TaskContext) async throws -> JSONValue?
    /// Runs before the handler; throwing fails the attempt as the handler would.
    public typealias BeforeHook = @Sendable (TaskContext) async throws -> Void
    /// Runs after a handler succeeded, with its result, before the result is recorded.
    public typealias AfterHook = @Sendable (TaskContext, JSONValue?) async -> Void
    /// Runs after a failed attempt (an error thrown, or a timeout), before the failure is recorded.
    public typealias ErrorHook = @Sendable (TaskContext, any Error) async -> Void

    private var byType: [String: Handler] = [:]
    private var byQueue: [String: Handler] = [:]
    private(set) var beforeHooks: [BeforeHook] = []
    private(set) var afterHooks: [AfterHook] = []
    private(set) var errorHooks: [ErrorHook] = []

    /// An empty registry.
    public init() {}

    /// Registers `handler` for tasks of `type`, replacing any earlier one.
    public mutating func register(_ type: String, _ handler: @escaping Handler) {
        byType[type] = handler
    }

    /// Registers `handler` for tasks of `queue` whose type has no handler of its own.
    public mutating func register(queue: String, _ handler: @escaping Handler) {
        byQueue[queue] = handler
    }

    /// Adds a hook run before every attempt, after those added earlier.
    public mutating func before(_ hook: @escaping BeforeHook) {
        beforeHooks.append(hook)
    }

    /// Adds a hook run after every successful attempt, after those added earlier.
    public mutating func after(_ hook: @escaping AfterHook) {
        afterHooks.append(hook)
    }

    /// Adds a hook run after every failed attempt, after those added earlier.
    public mutating func onError(_ hook: @escaping ErrorHook) {
        errorHooks.append(hook)
    }

    /// The handler that runs `record`: the one of its type, else the one of its queue.
    public func handler(for record: TaskRecord) -> Handler? {
        byType[record.type] ?? byQueue[record.queue]
    }

    /// Whether any handler is registered.
    public var isEmpty: Bool { byType.isEmpty && byQueue.isEmpty }
}
