public import SpoolCore

/// What one `spoold` process does; several processes on one spool may each take a part.
public enum RunMode: String, Sendable, Hashable, CaseIterable {
    /// Everything: scheduling, workers, maintenance, and the HTTP API when `spool.yaml` has an `api` section.
    case all
    /// Ingests drops, promotes scheduled tasks, recovers leases and purges; runs no task.
    case scheduler
    /// Runs tasks (and recovers leases of workers gone from this host); ingests and promotes nothing.
    case worker
    /// Serves the HTTP API only.
    case api

    /// The engine's jobs in this mode.
    public var roles: EngineConfiguration.Roles {
        switch self {
        case .all: .all
        case .scheduler: [.scheduling, .maintenance]
        case .worker: [.working, .maintenance]
        case .api: []
        }
    }
}
