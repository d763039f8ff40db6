/* pal_posix_base — the host half of a split PAL (internal; not for core/, services/, db/).
 *
 * platform/pal_posix.c compiled with -DPAL_POSIX_BASE_ONLY provides pal.h's time, entropy,
 * files, signals and worker thread, and these few functions; the other PAL file of the build
 * (platform/pal_lwip.c) provides pal_init/pal_shutdown/pal_name, the sockets, pal_poll and the
 * wake-up, and uses these to share pal_posix.c's allocator hooks and last-error text and to
 * get a host pipe for its async-signal-safe wake-up. On a device the same functions would come
 * from the RTOS port (a queue or task notification instead of the pipe).
 *
 * Deliberately free of system headers: pal_lwip.c includes lwIP's socket headers, whose
 * O_NONBLOCK, F_SETFL, struct pollfd… must not meet the host's. */
#ifndef PIPIT_PAL_POSIX_BASE_H
#define PIPIT_PAL_POSIX_BASE_H

#include "pal.h"

/* Keeps the hooks for every PAL object and ignores SIGPIPE; the network part's pal_init calls it. */
void pal_posix_base_init(const pal_hooks_t *hooks);
void *pal_posix_base_alloc(size_t n);
void pal_posix_base_free(void *p);
/* Sets pal_last_error()'s text (printf format) and returns status. */
int pal_posix_base_error(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A host pipe: fds[0] blocking read end, fds[1] non-blocking write end, both close-on-exec. */
int pal_posix_base_pipe(int fds[2]);
void pal_posix_base_pipe_poke(int wr);  /* writes one byte; async-signal-safe; a full pipe is fine */
long pal_posix_base_pipe_wait(int rd);  /* blocks until bytes (drains up to 64) or EOF (0) */
void pal_posix_base_pipe_close(int fd);

#endif
