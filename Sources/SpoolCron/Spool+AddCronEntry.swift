public import SpoolCore

extension Spool {
    /// Checks `entry` (its spec and time zone too) and stores it in the spool, where every scheduler on the
    /// spool fires it; see ``CronEntry``.
    ///
    /// - Throws: `SpoolError` with code `invalidArgument` naming what is wrong with the entry, or
    ///   `alreadyExists` if an entry of that name is stored and `replacing` is not set.
    public func addCronEntry(_ entry: CronEntry, replacing: Bool = false) throws(SpoolError) {
        do {
            _ = try CronSpec(entry.spec)
            _ = try CronZone(entry.timeZone)
        } catch {
            throw SpoolError(.invalidArgument, "cron entry \(entry.name): \(error.message)")
        }
        try storeCronEntry(entry, replacing: replacing)
    }
}
