import SpoolCore

/// What a group's page shows: its callback and where it is, its counts, each member with its state and
/// result or error (the first ``GroupPage/shownMembers``), and the cancel button while there is something
/// left to cancel.
struct GroupPage {
    /// Members shown; `spoolctl group show` lists them all.
    static let shownMembers = 1000

    /// A member.
    struct MemberRow {
        let index: Int
        let id: String
        let state: String
        let outcome: String
        let failed: Bool
    }

    let id: String
    let callbackID: String?
    let callbackState: String
    let runCallback: String
    let created: String
    let size: Int
    let succeeded: Int
    let failed: Int
    let pending: Int
    let members: [MemberRow]
    let more: Bool
    let shown: Int
    let canCancel: Bool
    let csrf: String

    init(status: GroupStatus, csrf: String) {
        id = status.manifest.id
        callbackID = status.manifest.callback
        callbackState = status.callback.rawValue
        runCallback = status.manifest.runCallback.rawValue
        created = DashboardFormat.time(status.manifest.createdAt)
        size = status.members.count
        succeeded = status.succeeded
        failed = status.failed
        pending = status.pending
        members = status.members.prefix(Self.shownMembers).map { member in
            MemberRow(
                index: member.index,
                id: member.id,
                state: member.state?.rawValue ?? "pending",
                outcome: member.error
                    ?? member.result.map { String(decoding: JSONWriter.encode($0), as: UTF8.self) } ?? "",
                failed: member.state == .dead
            )
        }
        more = status.members.count > Self.shownMembers
        shown = members.count
        // Once cancelled, or once every member finished and the callback left, nothing is left to stop.
        canCancel =
            status.callback != .cancelled
            && (status.pending > 0 || status.callback == .waiting || status.callback == .held)
        self.csrf = csrf
    }
}
