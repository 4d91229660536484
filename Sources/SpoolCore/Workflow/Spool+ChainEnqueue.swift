extension Spool {
    /// Enqueues a chain: the first task now (or when it is due), each later one when the one before it
    /// has succeeded, with that one's result passed in its payload (see ``NewTask/passResult``). A step that
    /// ends in `dead/` ends the chain, unless it has its own ``NewTask/onFailure``.
    ///
    /// Every step's id is fixed now, so the chain can be followed from the start, though a step exists only
    /// once the one before it has succeeded: SpoolWatch's `waitUntilFinished(chain:timeout:recheckInterval:)`
    /// waits for the chain's end.
    ///
    /// - Returns: The ids of the steps, in order.
    /// - Throws: ``SpoolError``, as ``enqueue(_:)``; ``SpoolError/Code/invalidArgument`` for an empty chain or a
    ///   step before the last with an `onSuccess` of its own.
    @discardableResult
    public func enqueue(chain steps: [NewTask]) throws(SpoolError) -> [String] {
        guard var first = steps.first else { throw SpoolError(.invalidArgument, "a chain needs at least one task") }
        if steps.count > 1 {
            if let index = steps.dropLast().firstIndex(where: { !$0.onSuccess.isEmpty }) {
                throw SpoolError(
                    .invalidArgument,
                    "step \(index + 1): onSuccess: only the last step of a chain may have its own"
                )
            }
            first.onSuccess = Array(steps.dropFirst())
        }
        let record = try enqueueRecord(first)
        return [record.id] + WorkflowTemplate.ids(of: record.onSuccess)
    }
}
