/// What a move inside the spool may do to a file already under its new name.
///
/// Where the filesystem has `RENAME_NOREPLACE` (ext4, xfs, btrfs, tmpfs), ``exclusive`` and ``ownName`` are
/// both one `renameat2` that fails rather than replace. Where it has not (GlusterFS, NFS, CephFS), they
/// differ in how they stay atomic (FORMAT.md, "Filesystems").
enum MoveRule {
    /// Whatever is under the new name is replaced (a plain `rename`).
    case replacing
    /// The move fails if the new name exists, and the name is not one only this file could have: a
    /// producer's drop name, a cron entry's name, a group's marker. Without `RENAME_NOREPLACE`: a hard
    /// link under the new name, then the old name removed (``SpoolSystem/Syscall/moveByLink(_:in:to:in:)``),
    /// so only a source whose second name recovery removes may use it (a file in `tmp/` or `rejected/`).
    case exclusive
    /// The new name holds the moving task's own id (`<due>.<id>.json`, reserved or generated unique) or this
    /// process's own name: only another copy of the same file can hold it. Without `RENAME_NOREPLACE`: a
    /// plain `rename`, which never leaves the file under two names, and at worst replaces a second copy of
    /// the same task (which a power loss may bring back) instead of refusing to.
    case ownName
}
