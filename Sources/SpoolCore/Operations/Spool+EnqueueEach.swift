extension Spool {
    /// Adds tasks given as JSON documents in the task-file format, each with the trace it takes when it has
    /// no `traceparent`, each accepted or refused on its own as ``enqueue(json:trace:)`` would, while those accepted share one filesystem flush (as in
    /// ``enqueue(contentsOf:)``): a server uses it to commit the requests that arrive together as a group.
    ///
    /// A document that is not a valid task fails alone. One whose id or unique key turns out to be taken is
    /// left out of the batch and then enqueued alone, which fails with the precise conflict (or succeeds if
    /// the holder is gone meanwhile). An error of the spool itself (no space, say) fails every document of
    /// the batch, none of which is then placed.
    ///
    /// - Returns: For each document, in order, the task as accepted or why it was refused.
    public func enqueueEach(_ documents: [(document: [UInt8], trace: TaskTrace?)]) -> [Result<TaskRecord, SpoolError>] {
        let now = clock.now
        var results = [Result<TaskRecord, SpoolError>?](repeating: nil, count: documents.count)
        var records: [TaskRecord] = []
        var reserving: [Bool] = []
        var positions: [Int] = []
        for (index, (bytes, trace)) in documents.enumerated() {
            guard bytes.count <= configuration.maximumTaskBytes else {
                results[index] = .failure(
                    SpoolError(.invalidArgument, "task larger than \(configuration.maximumTaskBytes) bytes")
                )
                continue
            }
            do {
                var (record, givenID) = try parseDocument(bytes, trace: trace, now: now)
                stamp(&record, now: now)
                records.append(record)
                reserving.append(givenID)
                positions.append(index)
            } catch {
                results[index] = .failure(SpoolError(.invalidArgument, error.reason))
            }
        }
        if !records.isEmpty {
            do {
                let placed = try enqueueBatch(
                    records,
                    reservingIDs: reserving,
                    skippingTaken: true,
                    source: .library,
                    now: now
                )
                for (offset, index) in positions.enumerated() {
                    results[index] =
                        placed[offset]
                        ? .success(records[offset])
                        : Result { () throws(SpoolError) -> TaskRecord in
                            try enqueue(json: documents[index].document, trace: documents[index].trace)
                        }
                }
            } catch {
                for index in positions { results[index] = .failure(error) }
            }
        }
        return results.map { $0! }
    }
}
