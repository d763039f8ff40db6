/* pal_fault — the POSIX PAL with faults injected on a seeded schedule (see pal_fault.h).
 *
 * pal_posix.c is compiled inside this file with the functions that can fail renamed (posix_*);
 * the pal_* of those names below decide whether this call fails and otherwise pass it on. The
 * sockets libwebsockets opens never meet the PAL, so the link wraps its connect/recv/send/accept
 * (-Wl,--wrap=…) and __wrap_* here fail them the same way. A draw is a hash of the seed, the
 * class and the class's call number: a seed replays the same schedule per class. */
#define pal_init posix_init
#define pal_wall_ms posix_wall_ms
#define pal_mono_us posix_mono_us
#define pal_mono_ms posix_mono_ms
#define pal_poll posix_poll
#define pal_file_open posix_file_open
#define pal_file_read posix_file_read
#define pal_file_write posix_file_write
#define pal_file_sync posix_file_sync
#define pal_worker_start posix_worker_start
#include "pal_posix.c"
#undef pal_init
#undef pal_wall_ms
#undef pal_mono_us
#undef pal_mono_ms
#undef pal_poll
#undef pal_file_open
#undef pal_file_read
#undef pal_file_write
#undef pal_file_sync
#undef pal_worker_start

#include <stdatomic.h>

#include "../core/log.h"
#include "pal_fault.h"

static const char *const class_names[PAL_FAULT_CLASS_COUNT] = {
    "connect", "recv", "send", "poll", "file", "fsync", "disk_full", "db_write", "db_sync", "clock", "worker", "alloc",
};

static int enabled;
static uint64_t seed;
static uint64_t threshold[PAL_FAULT_CLASS_COUNT]; /* a draw below it is a fault */
static uint64_t skip[PAL_FAULT_CLASS_COUNT];      /* calls of the class that never fail, first */
static _Atomic uint64_t calls[PAL_FAULT_CLASS_COUNT], injected[PAL_FAULT_CLASS_COUNT];
static _Atomic uint64_t draws, alloc_calls;
static uint64_t alloc_nth;
static int stacks; /* PIPIT_FAULT_STACKS: print where each refused allocation was asked for */
static _Atomic int64_t wall_offset_ms;
static _Atomic uint64_t mono_offset_us;
static _Thread_local int in_fault; /* logging reads the clock: no fault inside a fault */

static uint64_t mix(uint64_t x) /* splitmix64's finaliser */
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static double env_rate(const char *name, double dflt)
{
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    double r = strtod(v, &end);
    return (*end || r < 0) ? dflt : r > 1 ? 1 : r;
}

int pal_init(const pal_hooks_t *h)
{
    const char *s = getenv("PIPIT_FAULT_SEED");
    if (s && *s) {
        enabled = 1;
        seed = mix(strtoull(s, NULL, 0));
        double all = env_rate("PIPIT_FAULT_RATE", 0.02);
        for (int c = 0; c < PAL_FAULT_CLASS_COUNT; c++) {
            char name[64], upper[24];
            size_t n = 0;
            for (const char *p = class_names[c]; *p && n + 1 < sizeof upper; p++)
                upper[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            upper[n] = 0;
            snprintf(name, sizeof name, "PIPIT_FAULT_RATE_%s", upper);
            /* allocations fail only where asked: by their own rate or PIPIT_FAULT_ALLOC_NTH */
            double r = env_rate(name, c == PAL_FAULT_ALLOC ? 0 : all);
            threshold[c] = r >= 1 ? UINT64_MAX : (uint64_t)(r * 18446744073709551616.0);
            snprintf(name, sizeof name, "PIPIT_FAULT_SKIP_%s", upper);
            const char *sk = getenv(name);
            skip[c] = sk && *sk ? strtoull(sk, NULL, 0) : 0;
        }
        const char *nth = getenv("PIPIT_FAULT_ALLOC_NTH");
        if (nth && *nth) alloc_nth = strtoull(nth, NULL, 0);
        stacks = getenv("PIPIT_FAULT_STACKS") != NULL;
    }
    return posix_init(h);
}

const char *pal_fault_class_name(pal_fault_class_t c)
{
    return (unsigned)c < PAL_FAULT_CLASS_COUNT ? class_names[c] : "?";
}

uint64_t pal_fault_count(pal_fault_class_t c) { return (unsigned)c < PAL_FAULT_CLASS_COUNT ? atomic_load(&injected[c]) : 0; }

uint64_t pal_fault_draw(void) { return mix(seed ^ mix(atomic_fetch_add(&draws, 1) ^ 0x64726177ull)); }

static void note(pal_fault_class_t c)
{
    uint64_t n = atomic_fetch_add(&injected[c], 1) + 1;
    in_fault = 1;
    log_debug("fault: injected %s fault #%llu", class_names[c], (unsigned long long)n);
    in_fault = 0;
}

int pal_fault_hit(pal_fault_class_t c)
{
    if (!enabled || in_fault || (unsigned)c >= PAL_FAULT_CLASS_COUNT || !threshold[c]) return 0;
    uint64_t n = atomic_fetch_add(&calls[c], 1);
    if (n < skip[c]) return 0;
    if (mix(seed ^ mix(n * PAL_FAULT_CLASS_COUNT + (uint64_t)c)) >= threshold[c]) return 0;
    note(c);
    return 1;
}

void __sanitizer_print_stack_trace(void);

int pal_fault_alloc(int tag, size_t size)
{
    if (!enabled || in_fault) return 0;
    int hit = alloc_nth && atomic_fetch_add(&alloc_calls, 1) + 1 == alloc_nth;
    if (hit) note(PAL_FAULT_ALLOC);
    else hit = pal_fault_hit(PAL_FAULT_ALLOC);
    if (hit && stacks) {
        in_fault = 1;
        log_debug("fault: the refused allocation: tag %d, %zu bytes", tag, size);
        __sanitizer_print_stack_trace();
        in_fault = 0;
    }
    return hit;
}

/* ---- time: jumps that stay (a wall clock set by hand or NTP; a monotonic one after a stall) */
int64_t pal_wall_ms(void)
{
    if (pal_fault_hit(PAL_FAULT_CLOCK)) atomic_fetch_add(&wall_offset_ms, (int64_t)(pal_fault_draw() % 7200001u) - 3600000);
    return posix_wall_ms() + atomic_load(&wall_offset_ms);
}

uint64_t pal_mono_us(void)
{
    if (pal_fault_hit(PAL_FAULT_CLOCK)) atomic_fetch_add(&mono_offset_us, pal_fault_draw() % 1000001u);
    return posix_mono_us() + atomic_load(&mono_offset_us);
}

uint64_t pal_mono_ms(void) { return pal_mono_us() / 1000u; }

/* ---- the loop's wait: interrupted before anything was ready */
int pal_poll(pal_pollfd_t *fds, size_t n, int timeout_ms)
{
    if (n && pal_fault_hit(PAL_FAULT_POLL)) {
        for (size_t i = 0; i < n; i++) fds[i].revents = 0;
        return 0;
    }
    return posix_poll(fds, n, timeout_ms);
}

/* ---- files */
static int fault_errno(int status, int err, const char *what)
{
    errno = err;
    return fail(status, what);
}

int pal_file_open(const char *path, int flags, pal_file_t **out)
{
    if (pal_fault_hit(PAL_FAULT_FILE)) return fault_errno(PAL_EIO, EIO, path);
    return posix_file_open(path, flags, out);
}

long pal_file_read(pal_file_t *f, void *buf, size_t len)
{
    if (pal_fault_hit(PAL_FAULT_FILE)) {
        if (len > 1 && (pal_fault_draw() & 1)) return posix_file_read(f, buf, 1 + pal_fault_draw() % (len - 1));
        return fault_errno(PAL_EIO, EIO, "read");
    }
    return posix_file_read(f, buf, len);
}

long pal_file_write(pal_file_t *f, const void *buf, size_t len)
{
    if (pal_fault_hit(PAL_FAULT_DISK_FULL)) { /* a full disk takes what fits, then refuses */
        if (len > 1) (void)posix_file_write(f, buf, pal_fault_draw() % len);
        return fault_errno(PAL_EIO, ENOSPC, "write");
    }
    if (pal_fault_hit(PAL_FAULT_FILE)) return fault_errno(PAL_EIO, EIO, "write");
    return posix_file_write(f, buf, len);
}

int pal_file_sync(pal_file_t *f)
{
    if (pal_fault_hit(PAL_FAULT_FSYNC)) return fault_errno(PAL_EIO, EIO, "fsync");
    return posix_file_sync(f);
}

/* ---- worker threads */
int pal_worker_start(pal_wakeup_t *done_wakeup, pal_worker_t **out)
{
    if (pal_fault_hit(PAL_FAULT_WORKER)) return fault_errno(PAL_EIO, EAGAIN, "pthread_create");
    return posix_worker_start(done_wakeup, out);
}

/* ---- libwebsockets' sockets (server and client), through the linker's --wrap */
int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);
ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
ssize_t __real_send(int fd, const void *buf, size_t len, int flags);
int __real_accept(int fd, struct sockaddr *sa, socklen_t *len);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);
int __wrap_accept(int fd, struct sockaddr *sa, socklen_t *len);

/* What a descriptor is to the schedule: a client's (only benign faults: its requests must still
 * be answered), an outbound connection (may also be reset), or one doomed to a reset. */
enum { FD_INBOUND = 0, FD_OUTBOUND, FD_RESET };
#define MAX_FD 65536
static _Atomic unsigned char fd_kind[MAX_FD];

static int kind_of(int fd) { return fd >= 0 && fd < MAX_FD ? atomic_load(&fd_kind[fd]) : FD_INBOUND; }

static void set_kind(int fd, int k)
{
    if (fd >= 0 && fd < MAX_FD) atomic_store(&fd_kind[fd], (unsigned char)k);
}

int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    set_kind(fd, FD_OUTBOUND);
    if (pal_fault_hit(PAL_FAULT_CONNECT)) {
        if (pal_fault_draw() & 1) {
            errno = ECONNREFUSED;
            return -1;
        }
        set_kind(fd, FD_RESET); /* the connect goes through; the peer's reset comes at first use */
    }
    return __real_connect(fd, sa, len);
}

int __wrap_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
    int c = __real_accept(fd, sa, len);
    set_kind(c, FD_INBOUND);
    return c;
}

/* A benign fault (EINTR, EAGAIN, a short transfer: shrinks *len) or, outbound, a reset; 0: none. */
static int sock_fault(pal_fault_class_t c, int fd, size_t *len)
{
    int k = kind_of(fd);
    if (k == FD_RESET) return ECONNRESET;
    if (!pal_fault_hit(c)) return 0;
    uint64_t d = pal_fault_draw();
    switch (d % (k == FD_OUTBOUND ? 4u : 3u)) {
    case 0:
        if (*len > 1) *len = 1 + (size_t)((d >> 8) % (*len - 1));
        return 0;
    case 1: return EINTR;
    case 2: return EAGAIN;
    default: set_kind(fd, FD_RESET); return ECONNRESET;
    }
}

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
    int e = sock_fault(PAL_FAULT_RECV, fd, &len);
    if (e) {
        errno = e;
        return -1;
    }
    return __real_recv(fd, buf, len, flags);
}

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
    int e = sock_fault(PAL_FAULT_SEND, fd, &len);
    if (e) {
        errno = e;
        return -1;
    }
    return __real_send(fd, buf, len, flags);
}
