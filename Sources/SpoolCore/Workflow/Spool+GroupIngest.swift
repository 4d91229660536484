import Logging

extension Spool {
    /// Ingests a claimed drop that holds a group document: the group is enqueued with the drop inside its
    /// folder, so that the drop is used up by the same rename that makes the group exist. A document that
    /// is not a valid group, or whose ids are in use, is rejected with the reason.
    func ingestGroup(
        _ claimed: String,
        originalName: String,
        json: JSONValue,
        now: Timestamp
    ) throws(SpoolError) -> IngestOutcome {
        let request: GroupRequest
        do {
            request = try GroupRequest(json: json)
        } catch {
            return try reject(claimed, originalName: originalName, reason: error.reason)
        }
        let receipt: GroupReceipt
        do {
            receipt = try enqueue(request, now: now, drop: claimed)
        } catch  where error.code == .invalidArgument || error.code == .alreadyExists {
            return try reject(claimed, originalName: originalName, reason: error.message)
        }
        logger.info("ingested", metadata: ["spool.group": "\(receipt.id)", "spool.drop": "\(originalName)"])
        return .accepted(id: receipt.id, queue: GroupLayout.groups)
    }
}
