import CInotifyTools
import SpoolSystem
import Synchronization

/// The process's single owner of libinotifytools, whose state is global and not thread-safe: one thread
/// initialises it, places every watch and blocks in `inotifytools_next_event`; other threads only post
/// requests and touch a wake file.
///
/// Several subscribers (spools, tests) share it; each watch is tagged with the subscriber and a folder name.
final class InotifyHub: Sendable {
    /// The events each watch reports: arrivals by rename, completed writes, new folders and deleted files
    /// (tasks leave by rename, which is not reported, so deletions are rare: markers, purges).
    static let mask = Int32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE)
    /// The events a watch on a worker's `running/` folder reports: only new entries made there in place
    /// (cancel markers), not the claims and rewrites renamed in, one per task, which nothing waits for.
    static let markerMask = Int32(IN_CREATE)

    struct Target: Hashable {
        var subscriber: Int
        var folder: String
    }

    private struct Request {
        var path: String
        var mask: Int32
        var target: Target
        var done: CheckedContinuation<Bool, Never>
    }

    private struct Subscriber {
        var continuation: AsyncStream<WatchEvent>.Continuation
        var overflows: OverflowCounters?
    }

    private struct State {
        var requests: [Request] = []
        var removals: [Int] = []
        var subscribers: [Int: Subscriber] = [:]
        /// Subscribers that missed events since they last asked.
        var overflowed: Set<Int> = []
        var nextSubscriber = 0
    }

    private let state = Mutex(State())
    private let wake: WakeFile?
    /// Whether inotify could be set up; if not, spools fall back to polling.
    let available: Bool

    /// The hub, started on first use.
    static let shared = InotifyHub()

    private init() {
        let wake = try? WakeFile()
        self.wake = wake
        // The wake file is watched first and never removed, so its filename entry cannot be stale.
        guard let wake, inotifytools_initialize() != 0, inotifytools_watch_file(wake.path, Int32(IN_ATTRIB)) != 0 else {
            available = false
            return
        }
        available = true
        let wakeDescriptor = inotifytools_wd_from_filename(wake.path)
        OSThread.start { [self] in self.loop(wakeDescriptor: wakeDescriptor) }
    }

    /// Registers a subscriber; its events go to `continuation`, and the times it lost events to `overflows`.
    func subscribe(_ continuation: AsyncStream<WatchEvent>.Continuation, overflows: OverflowCounters?) -> Int {
        state.withLock {
            let id = $0.nextSubscriber
            $0.nextSubscriber += 1
            $0.subscribers[id] = Subscriber(continuation: continuation, overflows: overflows)
            return id
        }
    }

    /// Removes a subscriber and, on the hub thread, its watches.
    func unsubscribe(_ id: Int) {
        let subscriber = state.withLock {
            $0.removals.append(id)
            return $0.subscribers.removeValue(forKey: id)
        }
        subscriber?.continuation.finish()
        wake?.touch()
    }

    /// Whether `subscriber` missed events since it last asked (its buffer was full).
    func takeOverflow(_ subscriber: Int) -> Bool {
        state.withLock { $0.overflowed.remove(subscriber) != nil }
    }

    /// Places a watch on `path` for `target`, reporting the events of `mask`; returns once placed.
    func watch(_ path: String, mask: Int32 = InotifyHub.mask, for target: Target) async -> Bool {
        guard available else { return false }
        return await withCheckedContinuation { continuation in
            state.withLock {
                $0.requests.append(Request(path: path, mask: mask, target: target, done: continuation))
            }
            wake?.touch()
        }
    }

    // MARK: - The hub thread

    private func loop(wakeDescriptor: Int32) {
        // Targets are keyed by the path as libinotifytools stores it (with a final "/"), and each event's
        // wd is translated through its wd table: its filename table keeps stale entries for folders that
        // were removed (it ignores IN_IGNORED), so a path must never be looked up to find a wd.
        var targets: [String: Set<Target>] = [:]
        while true {
            let (requests, removals) = state.withLock { state in
                defer {
                    state.requests.removeAll()
                    state.removals.removeAll()
                }
                return (state.requests, state.removals)
            }
            for subscriber in removals {
                for (path, set) in targets {
                    let kept = set.filter { $0.subscriber != subscriber }
                    targets[path] = kept.isEmpty ? nil : kept
                    // A folder that is gone took its watch with it: removing that watch again would fail,
                    // and the library would say so on standard error.
                    if kept.isEmpty, (try? Syscall.status(path, in: .currentWorkingDirectory))?.kind == .directory {
                        inotifytools_remove_watch_by_filename(path)
                    }
                }
            }
            for request in requests {
                let placed = inotifytools_watch_file(request.path, request.mask) != 0
                if placed { targets[request.path + "/", default: []].insert(request.target) }
                request.done.resume(returning: placed)
            }
            guard let event = inotifytools_next_event(-1) else { continue }
            let descriptor = event.pointee.wd
            let mask = event.pointee.mask
            if descriptor == wakeDescriptor { continue }
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                let subscribers = Set(targets.values.flatMap { $0.map(\.subscriber) })
                for subscriber in subscribers {
                    state.withLock { $0.subscribers[subscriber]?.overflows }?.kernelQueueOverflowed()
                }
                broadcast(.rescan, to: subscribers)
                continue
            }
            guard event.pointee.len > 0, mask & UInt32(IN_IGNORED) == 0,
                let watched = inotifytools_filename_from_wd(descriptor),
                let interested = targets[String(cString: watched)]
            else { continue }
            let isDirectory = mask & UInt32(IN_ISDIR) != 0
            let created = mask & UInt32(IN_CREATE) != 0 && !isDirectory
            // The name is a flexible array after the fixed part of the event: read it through the pointer.
            let name = UnsafeRawPointer(event).advanced(by: MemoryLayout<inotify_event>.size)
                .assumingMemoryBound(to: UInt8.self)
            let length = (0..<Int(event.pointee.len)).first { name[$0] == 0 } ?? Int(event.pointee.len)
            guard let text = String(validating: UnsafeBufferPointer(start: name, count: length), as: UTF8.self)
            else {
                // A name that is not UTF-8 cannot be handed on as text: a listing of the folder finds it.
                broadcast(.rescan, to: Set(interested.map(\.subscriber)))
                continue
            }
            let deleted = mask & UInt32(IN_DELETE) != 0
            if deleted && isDirectory { continue }
            for target in interested {
                let event: WatchEvent =
                    deleted
                    ? .removed(folder: target.folder, name: text)
                    : created
                        ? .created(folder: target.folder, name: text)
                        : .arrived(folder: target.folder, name: text, isDirectory: isDirectory)
                deliver(event, to: target.subscriber)
            }
        }
    }

    private func deliver(_ event: WatchEvent, to subscriber: Int) {
        guard let subscription = state.withLock({ $0.subscribers[subscriber] }),
            case .dropped = subscription.continuation.yield(event)
        else { return }
        // One overflow per stretch of lost events, each ending in one rescan when the reader takes it.
        if state.withLock({ $0.overflowed.insert(subscriber).inserted }) { subscription.overflows?.readerFellBehind() }
    }

    private func broadcast(_ event: WatchEvent, to subscribers: Set<Int>) {
        for subscriber in subscribers { deliver(event, to: subscriber) }
    }
}
