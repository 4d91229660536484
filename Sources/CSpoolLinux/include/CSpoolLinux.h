#ifndef SPOOL_CSPOOLLINUX_H
#define SPOOL_CSPOOLLINUX_H

/* Linux calls and constants that Swift's Glibc module does not export. */

/* renameat2(2) through syscall(2): glibc's wrapper is not visible to Swift, and musl has none. */
int CSpoolLinux_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/* memfd_create(2), used as a private wake-up file for the watcher thread. */
int CSpoolLinux_memfd_create(const char *name, unsigned int flags);

/* syncfs(2): flushes the whole filesystem holding fd; glibc declares it only under _GNU_SOURCE. */
int CSpoolLinux_syncfs(int fd);

extern const unsigned int CSpoolLinux_RENAME_NOREPLACE;
extern const unsigned int CSpoolLinux_RENAME_EXCHANGE;
extern const unsigned int CSpoolLinux_MFD_CLOEXEC;

#endif
