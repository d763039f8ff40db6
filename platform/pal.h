/* pal — the platform abstraction layer: the only door from pipit to the OS.
 *
 * core/, services/ and db/ reach time, sockets, readiness, the loop's wake-up, entropy, files,
 * signals and the optional worker thread only through these functions. A port (POSIX, Win32,
 * lwIP) is one implementation of this header plus build glue in ports/.
 *
 * Conventions: functions return PAL_OK (0) or a negative PAL_E* status; sockets are
 * non-blocking; PAL objects are allocated through the allocator hook set by pal_init().
 */
#ifndef PIPIT_PAL_H
#define PIPIT_PAL_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
typedef uintptr_t pal_sock_t; /* SOCKET */
#define PAL_SOCK_INVALID (~(pal_sock_t)0)
#else
typedef int pal_sock_t; /* a file descriptor (POSIX) or an lwIP socket */
#define PAL_SOCK_INVALID (-1)
#endif

enum {
    PAL_OK = 0,
    PAL_EAGAIN = -1,   /* would block: wait for readiness and retry */
    PAL_ECLOSED = -2,  /* peer closed */
    PAL_EIO = -3,      /* any other failure; pal_last_error() says more */
    PAL_ENOMEM = -4,
    PAL_ENOTSUP = -5,  /* this port has no such facility (e.g. no threads) */
    PAL_ENOENT = -6,
    PAL_EADDRINUSE = -7,
    PAL_EINPROGRESS = -8,
};

/* A short human description of the last failure on this thread. */
const char *pal_last_error(void);

/* ---- start-up --------------------------------------------------------------------------- */
typedef struct {
    void *(*alloc)(size_t size); /* for PAL objects; must be thread-safe */
    void (*free)(void *ptr);
} pal_hooks_t;
int pal_init(const pal_hooks_t *hooks);
void pal_shutdown(void);
const char *pal_name(void); /* "posix", "win32", "lwip" */
/* Sets how many descriptors the process may hold to want (at most what the OS allows), where
 * the OS has such a limit; returns the limit now in force, or 0 where there is none. */
size_t pal_fd_limit(size_t want);

/* ---- time ------------------------------------------------------------------------------- */
uint64_t pal_mono_us(void);  /* monotonic microseconds, arbitrary origin */
uint64_t pal_mono_ms(void);
int64_t pal_wall_ms(void);   /* Unix epoch milliseconds */
void pal_sleep_ms(uint32_t ms); /* only for tests and the worker; never on the loop */

/* ---- sockets (TCP, non-blocking) -------------------------------------------------------- */
/* host is a numeric IPv4/IPv6 address or "localhost"; port 0 picks a free one. */
int pal_tcp_listen(const char *host, uint16_t port, int backlog, pal_sock_t *out);
int pal_tcp_accept(pal_sock_t listener, pal_sock_t *out);
/* Starts a connect; PAL_EINPROGRESS means wait for writability then pal_tcp_connect_result. */
int pal_tcp_connect(const char *host, uint16_t port, pal_sock_t *out);
int pal_tcp_connect_result(pal_sock_t s);
/* >0 bytes moved, PAL_EAGAIN, PAL_ECLOSED (read only) or PAL_EIO. */
long pal_sock_read(pal_sock_t s, void *buf, size_t len);
long pal_sock_write(pal_sock_t s, const void *buf, size_t len);
void pal_sock_close(pal_sock_t s);
int pal_sock_local_port(pal_sock_t s, uint16_t *port);
/* 1 when host names a loopback address (127.0.0.0/8, ::1, localhost). */
int pal_host_is_loopback(const char *host);

/* ---- readiness -------------------------------------------------------------------------- */
#define PAL_POLL_IN 0x1
#define PAL_POLL_OUT 0x2
#define PAL_POLL_ERR 0x4 /* revents only */
#define PAL_POLL_HUP 0x8 /* revents only */
typedef struct {
    pal_sock_t sock;
    uint16_t events;
    uint16_t revents;
} pal_pollfd_t;
/* Waits up to timeout_ms (-1 forever) for readiness; returns how many entries have revents
 * or a PAL_E* status. An interrupted wait returns 0. */
int pal_poll(pal_pollfd_t *fds, size_t n, int timeout_ms);

/* ---- cross-thread (and signal) wake-up of the loop --------------------------------------- */
typedef struct pal_wakeup pal_wakeup_t;
int pal_wakeup_open(pal_wakeup_t **out);
void pal_wakeup_close(pal_wakeup_t *w);
pal_sock_t pal_wakeup_sock(pal_wakeup_t *w);  /* poll it for PAL_POLL_IN */
void pal_wakeup_signal(pal_wakeup_t *w);       /* any thread; async-signal-safe on POSIX */
void pal_wakeup_drain(pal_wakeup_t *w);        /* loop thread, after it polled readable */

/* SIGINT/SIGTERM (Ctrl-C / console close on Windows) set a flag and signal w. */
int pal_signals_install(pal_wakeup_t *w);
int pal_stop_requested(void);

/* ---- entropy ---------------------------------------------------------------------------- */
int pal_entropy(void *buf, size_t len);

/* ---- files ------------------------------------------------------------------------------ */
typedef struct pal_file pal_file_t;
#define PAL_F_READ 0x1
#define PAL_F_WRITE 0x2
#define PAL_F_CREATE 0x4
#define PAL_F_TRUNC 0x8
#define PAL_F_APPEND 0x10
#define PAL_F_EXCL 0x20
int pal_file_open(const char *path, int flags, pal_file_t **out);
long pal_file_read(pal_file_t *f, void *buf, size_t len);        /* 0 at end of file */
long pal_file_write(pal_file_t *f, const void *buf, size_t len);
int pal_file_sync(pal_file_t *f);
void pal_file_close(pal_file_t *f);
int pal_file_size(const char *path, uint64_t *size);             /* PAL_ENOENT if absent */
/* What an open file is: its size, last modification (Unix ms) and whether it is a folder. */
typedef struct {
    uint64_t size;
    int64_t mtime_ms;
    int is_dir;
} pal_file_stat_t;
int pal_file_stat(pal_file_t *f, pal_file_stat_t *out);
/* path made absolute with every '.', '..' and symbolic link resolved (the path must exist),
 * written into out with the system's separators; PAL_ENOENT when it does not exist, PAL_EIO
 * when out is too small. */
int pal_path_resolve(const char *path, char *out, size_t len);
int pal_file_rename(const char *from, const char *to);           /* atomic replace */
int pal_file_remove(const char *path);
int pal_dir_make(const char *path);                              /* with parents, mode 0700 */
/* Calls fn for each entry of a folder (not . and ..), is_dir set for folders; fn returning
 * nonzero stops the walk. PAL_ENOENT when the folder does not exist. */
int pal_dir_list(const char *path, int (*fn)(const char *name, int is_dir, void *ud), void *ud);
/* The per-user data folder (e.g. ~/.local/share/pipit) written into buf. */
int pal_default_data_dir(char *buf, size_t len);
/* An environment variable, or NULL. */
const char *pal_env(const char *name);

/* ---- optional worker thread ------------------------------------------------------------- */
/* A job is embedded by its owner; the worker runs fn on its own thread, then hands the job
 * back through pal_worker_reap() on the loop thread (and signals the wake-up given at start). */
typedef struct pal_job pal_job_t;
struct pal_job {
    pal_job_t *next;
    void (*run)(pal_job_t *job); /* on the worker thread */
};
typedef struct pal_worker pal_worker_t;
int pal_worker_start(pal_wakeup_t *done_wakeup, pal_worker_t **out); /* PAL_ENOTSUP: no threads */
void pal_worker_submit(pal_worker_t *w, pal_job_t *job);
pal_job_t *pal_worker_reap(pal_worker_t *w); /* finished jobs, oldest first, or NULL */
void pal_worker_stop(pal_worker_t *w);      /* finishes queued jobs, joins, frees */

#endif
