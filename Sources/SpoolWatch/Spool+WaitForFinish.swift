public import SpoolCore

extension Spool {
    /// Waits until task `id` reaches `done/` or `dead/`, or `timeout` seconds pass.
    ///
    /// Waits on inotify events in the queue's `done/` and `dead/` folders where inotify is available: new
    /// hour folders, and those the task may finish into (``Spool/finishedFolders(awaiting:in:now:)``),
    /// checking again every `recheckInterval` seconds, for changes made on other hosts or into other
    /// folders; else checks every `recheckInterval` seconds.
    ///
    /// - Returns: Where the task is when the wait ends: finished, or still pending at the timeout.
    /// - Throws: ``SpoolError`` with ``SpoolError/Code/notFound`` if no task has this id.
    public func waitUntilFinished(
        id: String,
        timeout: Double? = nil,
        recheckInterval: Double = 5
    ) async throws(SpoolError) -> TaskLocation {
        guard let first = find(id: id) else { throw SpoolError(.notFound, "no task with id \"\(id)\"") }
        if first.state == .done || first.state == .dead { return first }
        let queue = first.queue
        let deadline = timeout.map { clock.now.adding(seconds: $0) }
        let watcher = InotifyWatcher(root: root)
        defer { watcher?.close() }
        let watched = [SpoolLayout.done, SpoolLayout.dead].map { "\($0)/\(queue)" }
        if let watcher {
            // The top folders too, in case the queue's folders are not there yet: this creates nothing, so
            // that a spool opened to read only is left as it is.
            for top in [SpoolLayout.done, SpoolLayout.dead] { _ = await watcher.watch(top) }
            for folder in watched { _ = await watcher.watch(folder) }
            for state in [TaskState.done, .dead] {
                for folder in finishedFolders(awaiting: first, in: state, now: clock.now) {
                    _ = await watcher.watch(folder)
                }
            }
        }
        let events = Mailbox<WatchEvent>()
        let forward = Task {
            guard let watcher else { return }
            for await event in watcher.events { events.post(event) }
        }
        defer { forward.cancel() }
        while true {
            if let finished = finishedLocation(id: id, queue: queue) { return finished }
            let now = clock.now
            if let deadline, now >= deadline { return find(id: id) ?? first }
            var wake = now.adding(seconds: recheckInterval)
            if let deadline, deadline < wake { wake = deadline }
            guard let event = await receive(from: events, until: wake, clock: clock) else {
                if Task.isCancelled { return find(id: id) ?? first }
                continue
            }
            guard case .arrived(let folder, let name, true) = event, let watcher else { continue }
            if watched.contains(folder) {
                _ = await watcher.watch("\(folder)/\(name)")
            } else if name == queue, let state = TaskState(rawValue: folder), state == .done || state == .dead {
                _ = await watcher.watch("\(folder)/\(name)")
                for hour in finishedFolders(awaiting: first, in: state, now: clock.now) {
                    _ = await watcher.watch(hour)
                }
            }
        }
    }
}
