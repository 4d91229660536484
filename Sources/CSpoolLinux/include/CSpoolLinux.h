#ifndef SPOOL_CSPOOLLINUX_H
#define SPOOL_CSPOOLLINUX_H

/* Linux calls and constants that Swift's Glibc module does not export. */

/* renameat2(2) through syscall(2): glibc's wrapper is not visible to Swift, and musl has none. */
int CSpoolLinux_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/* memfd_create(2), used as a private wake-up file for the watcher thread. */
int CSpoolLinux_memfd_create(const char *name, unsigned int flags);

/* syncfs(2): flushes the whole filesystem holding fd; glibc declares it only under _GNU_SOURCE. */
int CSpoolLinux_syncfs(int fd);

/* getdents64(2): a directory's entries straight into a caller's buffer, with none of readdir's own
   allocation and checks (glibc's fdopendir adds an fstat and two fcntl calls per directory). */
long CSpoolLinux_getdents64(int fd, void *buffer, unsigned long size);

extern const unsigned int CSpoolLinux_RENAME_NOREPLACE;
extern const unsigned int CSpoolLinux_RENAME_EXCHANGE;
extern const unsigned int CSpoolLinux_MFD_CLOEXEC;

#endif
