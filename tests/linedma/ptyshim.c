/* ptyshim.c - TEST ONLY, loaded with LD_PRELOAD: lets libserialport 0.1.1
 * open a pseudo-terminal.  A pty has no modem lines, so TIOCMGET, TIOCMSET,
 * TIOCMBIS and TIOCMBIC fail on it and libserialport refuses the port
 * (upstream pull request 4, never merged).  This shim answers those four
 * requests itself when the real ioctl refuses them: TIOCMGET reports DSR,
 * CTS and CD up.  Production code carries no such trick.
 *
 * It needs dlsym(RTLD_NEXT), a GNU extension, hence _GNU_SOURCE here only. */
#undef _XOPEN_SOURCE
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

int ioctl(int fd, unsigned long request, ...);

int ioctl(int fd, unsigned long request, ...)
{
    static ioctl_fn real;
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (!real)
        real = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
    int r = real(fd, request, arg);
    if (r != 0 && (errno == ENOTTY || errno == EINVAL) &&
        (request == TIOCMGET || request == TIOCMSET || request == TIOCMBIS ||
         request == TIOCMBIC)) {
        if (request == TIOCMGET && arg)
            *(int *)arg = TIOCM_DSR | TIOCM_CTS | TIOCM_CD;
        errno = 0;
        return 0;
    }
    return r;
}
