#ifndef SPOOL_CINOTIFYTOOLS_H
#define SPOOL_CINOTIFYTOOLS_H
/* libinotifytools (Debian libinotifytools0-dev) and the kernel's inotify constants. */
#include <sys/inotify.h>
#include <inotifytools/inotifytools.h>
#endif
