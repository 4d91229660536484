import SpoolSystem

extension Spool {
    /// Checks that the spool can take work now: opened to be changed, its root still there with the
    /// folders new tasks go through. Costs a few `stat`s, whatever the spool's size.
    ///
    /// - Throws: ``SpoolError`` saying what is wrong.
    public func checkReady() throws(SpoolError) {
        try requireWrites("serve")
        for folder in [SpoolLayout.incoming, SpoolLayout.active, SpoolLayout.scheduled, SpoolLayout.tmp] {
            let status: FileStatus
            do { status = try Syscall.status(folder, in: rootDescriptor) } catch {
                throw SpoolError(error, "look at", "\(root)/\(folder)")
            }
            guard status.kind == .directory else {
                throw SpoolError(.notASpool, "\(root)/\(folder) is not a folder")
            }
        }
    }
}
