#define _GNU_SOURCE
#include "CSpoolLinux.h"

#include <errno.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

const unsigned int CSpoolLinux_RENAME_NOREPLACE = RENAME_NOREPLACE;
const unsigned int CSpoolLinux_RENAME_EXCHANGE = RENAME_EXCHANGE;
const unsigned int CSpoolLinux_MFD_CLOEXEC = MFD_CLOEXEC;

int CSpoolLinux_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int CSpoolLinux_memfd_create(const char *name, unsigned int flags) {
    return (int)syscall(SYS_memfd_create, name, flags);
}

int CSpoolLinux_syncfs(int fd) {
    return syncfs(fd);
}

long CSpoolLinux_getdents64(int fd, void *buffer, unsigned long size) {
    return (long)syscall(SYS_getdents64, fd, buffer, size);
}
