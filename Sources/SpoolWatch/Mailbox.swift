package import SpoolCore
import Synchronization

/// A queue of messages with one receiver, which waits without polling and stops waiting when cancelled: how
/// watchers hand their events on, in the engine and in ``SpoolCore/Spool/waitUntilFinished(id:timeout:)``.
package final class Mailbox<Element: Sendable>: Sendable {
    private struct State {
        // Two stacks make a queue with amortised O(1) operations, whatever the burst.
        var inbound: [Element] = []
        var outbound: [Element] = []
        var waiter: CheckedContinuation<Element?, Never>?

        mutating func dequeue() -> Element? {
            if outbound.isEmpty {
                outbound = inbound.reversed()
                inbound.removeAll(keepingCapacity: true)
            }
            return outbound.popLast()
        }
    }

    private let state = Mutex(State())

    /// An empty mailbox.
    package init() {}

    /// Adds a message, waking the receiver if it waits.
    package func post(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.inbound.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// The next message, waiting for one; `nil` if the task is cancelled.
    package func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Element?? in
                    if let element = state.dequeue() { return .some(element) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Element?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume(returning: nil)
        }
    }

    /// The next message if one waits now, without waiting.
    package func poll() -> Element? {
        state.withLock { $0.dequeue() }
    }
}

/// Waits for the next message of `mailbox`, but not past `deadline` on `clock`; `nil` at the deadline.
package func receive<Element: Sendable>(
    from mailbox: Mailbox<Element>,
    until deadline: SpoolCore.Timestamp,
    clock: any WallClock
) async -> Element? {
    if let waiting = mailbox.poll() { return waiting }
    return await withTaskGroup(of: Element?.self) { group in
        group.addTask { await mailbox.next() }
        group.addTask {
            try? await clock.sleep(until: deadline)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        // The other child may also have taken a message just before being cancelled.
        var result = first
        while let other = await group.next() {
            if let other {
                if result == nil { result = other } else { mailbox.post(other) }
            }
        }
        return result
    }
}
