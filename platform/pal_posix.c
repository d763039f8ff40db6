/* pal_posix — the PAL on Linux and other POSIX systems (Raspberry Pi OS included).
 *
 * Built with -DPAL_POSIX_BASE_ONLY (the lwIP port) only the host parts are compiled — time,
 * entropy, files, signals, the worker thread — and the network parts (start-up, sockets,
 * readiness, wake-up) come from another PAL file (platform/pal_lwip.c), which reaches this
 * file's state through platform/pal_posix_base.h. Without it (every other build) this file is
 * the whole PAL, unchanged. */
#define _GNU_SOURCE
#include "pal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pal_hooks_t hooks;
static _Thread_local char last_error[160];

static int fail(int status, const char *what)
{
    snprintf(last_error, sizeof last_error, "%s: %s", what, strerror(errno));
    return status;
}

const char *pal_last_error(void) { return last_error; }

#ifdef PAL_POSIX_BASE_ONLY
/* ---- what another PAL's network part shares with this file (see pal_posix_base.h) ---- */
#include <stdarg.h>

#include "pal_posix_base.h"

void pal_posix_base_init(const pal_hooks_t *h)
{
    hooks = *h;
    signal(SIGPIPE, SIG_IGN);
}

void *pal_posix_base_alloc(size_t n) { return hooks.alloc(n); }
void pal_posix_base_free(void *p) { hooks.free(p); }

int pal_posix_base_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

int pal_posix_base_pipe(int fds[2])
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return fail(PAL_EIO, "pipe");
    int fl = fcntl(p[1], F_GETFL, 0); /* the write end never blocks: a full pipe is a wake-up */
    if (fl < 0 || fcntl(p[1], F_SETFL, fl | O_NONBLOCK) < 0) {
        close(p[0]);
        close(p[1]);
        return fail(PAL_EIO, "fcntl");
    }
    fds[0] = p[0];
    fds[1] = p[1];
    return PAL_OK;
}

void pal_posix_base_pipe_poke(int wr)
{
    int saved = errno; /* may run in a signal handler */
    char c = 1;
    ssize_t r = write(wr, &c, 1);
    (void)r;
    errno = saved;
}

long pal_posix_base_pipe_wait(int rd)
{
    char buf[64];
    for (;;) {
        ssize_t n = read(rd, buf, sizeof buf);
        if (n >= 0) return (long)n;
        if (errno != EINTR) return fail(PAL_EIO, "read");
    }
}

void pal_posix_base_pipe_close(int fd)
{
    if (fd >= 0) close(fd);
}

#else /* the whole POSIX PAL: start-up here; sockets, readiness and wake-up further down */
const char *pal_name(void) { return "posix"; }

int pal_init(const pal_hooks_t *h)
{
    hooks = *h;
    signal(SIGPIPE, SIG_IGN); /* a peer that vanished is a write error, not a process exit */
    struct rlimit rl; /* a node with a thousand clients needs more than the usual 1024 fds */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    return PAL_OK;
}

void pal_shutdown(void) {}

size_t pal_fd_limit(size_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    rlim_t cur = (rlim_t)want;
    if (rl.rlim_max != RLIM_INFINITY && cur > rl.rlim_max) cur = rl.rlim_max;
    if (cur != rl.rlim_cur) {
        rl.rlim_cur = cur;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    }
    return rl.rlim_cur == RLIM_INFINITY ? 0 : (size_t)rl.rlim_cur;
}
#endif /* !PAL_POSIX_BASE_ONLY */

/* ---- time ---- */
uint64_t pal_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t pal_mono_ms(void) { return pal_mono_us() / 1000u; }

int64_t pal_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pal_sleep_ms(uint32_t ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

#ifndef PAL_POSIX_BASE_ONLY /* sockets, readiness, wake-up: the host's stack */
/* ---- sockets ---- */
static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int resolve_numeric(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *sl)
{
    if (!host || !*host || strcmp(host, "localhost") == 0) host = "127.0.0.1";
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        *sl = sizeof *a4;
        return 0;
    }
    const char *h = host;
    char buf[INET6_ADDRSTRLEN + 2];
    size_t hl = strlen(host);
    if (hl > 2 && host[0] == '[' && host[hl - 1] == ']' && hl - 2 < sizeof buf) {
        memcpy(buf, host + 1, hl - 2);
        buf[hl - 2] = 0;
        h = buf;
    }
    if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        *sl = sizeof *a6;
        return 0;
    }
    snprintf(last_error, sizeof last_error, "'%s' is not a numeric IP address", host);
    return -1;
}

int pal_host_is_loopback(const char *host)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (resolve_numeric(host, 0, &ss, &sl) != 0) return 0;
    if (ss.ss_family == AF_INET)
        return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
}

int pal_tcp_listen(const char *host, uint16_t port, int backlog, pal_sock_t *out)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (resolve_numeric(host, port, &ss, &sl) != 0) return PAL_EIO;
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) return fail(PAL_EIO, "socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
        int st = errno == EADDRINUSE ? PAL_EADDRINUSE : PAL_EIO;
        fail(st, "bind");
        close(fd);
        return st;
    }
    if (listen(fd, backlog) != 0 || set_nonblocking(fd) != 0) {
        fail(PAL_EIO, "listen");
        close(fd);
        return PAL_EIO;
    }
    *out = fd;
    return PAL_OK;
}

int pal_tcp_accept(pal_sock_t listener, pal_sock_t *out)
{
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? PAL_EAGAIN : fail(PAL_EIO, "accept");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out = fd;
    return PAL_OK;
}

int pal_tcp_connect(const char *host, uint16_t port, pal_sock_t *out)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (resolve_numeric(host, port, &ss, &sl) != 0) return PAL_EIO;
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) return fail(PAL_EIO, "socket");
    if (set_nonblocking(fd) != 0) {
        close(fd);
        return fail(PAL_EIO, "fcntl");
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out = fd;
    if (connect(fd, (struct sockaddr *)&ss, sl) == 0) return PAL_OK;
    if (errno == EINPROGRESS) return PAL_EINPROGRESS;
    fail(PAL_EIO, "connect");
    close(fd);
    *out = PAL_SOCK_INVALID;
    return PAL_EIO;
}

int pal_tcp_connect_result(pal_sock_t s)
{
    int err = 0;
    socklen_t l = sizeof err;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &l) != 0) return fail(PAL_EIO, "getsockopt");
    if (err == 0) return PAL_OK;
    errno = err;
    return fail(PAL_EIO, "connect");
}

long pal_sock_read(pal_sock_t s, void *buf, size_t len)
{
    ssize_t n = recv(s, buf, len, 0);
    if (n > 0) return (long)n;
    if (n == 0) return PAL_ECLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return PAL_EAGAIN;
    return fail(PAL_EIO, "recv");
}

long pal_sock_write(pal_sock_t s, const void *buf, size_t len)
{
    ssize_t n = send(s, buf, len, MSG_NOSIGNAL);
    if (n >= 0) return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return PAL_EAGAIN;
    return fail(PAL_EIO, "send");
}

void pal_sock_close(pal_sock_t s)
{
    if (s >= 0) close(s);
}

int pal_sock_local_port(pal_sock_t s, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(s, (struct sockaddr *)&ss, &sl) != 0) return fail(PAL_EIO, "getsockname");
    *port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                          : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return PAL_OK;
}

/* ---- readiness ---- */
int pal_poll(pal_pollfd_t *fds, size_t n, int timeout_ms)
{
    /* pal_pollfd_t is not struct pollfd; translate through a reused scratch array. */
    static _Thread_local struct pollfd *scratch;
    static _Thread_local size_t scratch_cap;
    if (n > scratch_cap) {
        size_t cap = n < 64 ? 64 : n * 2;
        struct pollfd *p = hooks.alloc(cap * sizeof *p);
        if (!p) return PAL_ENOMEM;
        if (scratch) hooks.free(scratch);
        scratch = p;
        scratch_cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        scratch[i].fd = fds[i].sock;
        scratch[i].events = (short)(((fds[i].events & PAL_POLL_IN) ? POLLIN : 0) |
                                    ((fds[i].events & PAL_POLL_OUT) ? POLLOUT : 0));
        scratch[i].revents = 0;
    }
    int r = poll(scratch, (nfds_t)n, timeout_ms);
    if (r < 0) return errno == EINTR ? 0 : fail(PAL_EIO, "poll");
    for (size_t i = 0; i < n; i++) {
        short re = scratch[i].revents;
        fds[i].revents = (uint16_t)(((re & POLLIN) ? PAL_POLL_IN : 0) | ((re & POLLOUT) ? PAL_POLL_OUT : 0) |
                                    ((re & (POLLERR | POLLNVAL)) ? PAL_POLL_ERR : 0) |
                                    ((re & POLLHUP) ? PAL_POLL_HUP : 0));
    }
    if (n == 0 && scratch) { /* the loop is shutting down: release the scratch */
        hooks.free(scratch);
        scratch = NULL;
        scratch_cap = 0;
    }
    return r;
}

/* ---- wake-up: a self-pipe (eventfd would do on Linux; a pipe also works on BSD/macOS) ---- */
struct pal_wakeup {
    int rd, wr;
};

int pal_wakeup_open(pal_wakeup_t **out)
{
    pal_wakeup_t *w = hooks.alloc(sizeof *w);
    if (!w) return PAL_ENOMEM;
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) {
        hooks.free(w);
        return fail(PAL_EIO, "pipe");
    }
    w->rd = p[0];
    w->wr = p[1];
    *out = w;
    return PAL_OK;
}

void pal_wakeup_close(pal_wakeup_t *w)
{
    if (!w) return;
    close(w->rd);
    close(w->wr);
    hooks.free(w);
}

pal_sock_t pal_wakeup_sock(pal_wakeup_t *w) { return w->rd; }

void pal_wakeup_signal(pal_wakeup_t *w)
{
    int saved = errno; /* may run in a signal handler */
    char c = 1;
    ssize_t r = write(w->wr, &c, 1); /* a full pipe already means "wake up" */
    (void)r;
    errno = saved;
}

void pal_wakeup_drain(pal_wakeup_t *w)
{
    char buf[64];
    while (read(w->rd, buf, sizeof buf) > 0) {}
}

#endif /* !PAL_POSIX_BASE_ONLY */

/* ---- signals (SIGINT/SIGTERM signal the loop's wake-up, whichever PAL provides it) ---- */
static pal_wakeup_t *signal_wakeup;
static volatile sig_atomic_t stop_flag;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
    if (signal_wakeup) pal_wakeup_signal(signal_wakeup);
}

int pal_signals_install(pal_wakeup_t *w)
{
    signal_wakeup = w;
    stop_flag = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return fail(PAL_EIO, "sigaction");
    return PAL_OK;
}

int pal_stop_requested(void) { return stop_flag != 0; }

/* ---- entropy ---- */
int pal_entropy(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(PAL_EIO, "getrandom");
        }
        p += n;
        len -= (size_t)n;
    }
    return PAL_OK;
}

/* ---- files ---- */
struct pal_file {
    int fd;
};

int pal_file_open(const char *path, int flags, pal_file_t **out)
{
    int of = O_CLOEXEC;
    if ((flags & PAL_F_READ) && (flags & PAL_F_WRITE)) of |= O_RDWR;
    else if (flags & PAL_F_WRITE) of |= O_WRONLY;
    else of |= O_RDONLY;
    if (flags & PAL_F_CREATE) of |= O_CREAT;
    if (flags & PAL_F_TRUNC) of |= O_TRUNC;
    if (flags & PAL_F_APPEND) of |= O_APPEND;
    if (flags & PAL_F_EXCL) of |= O_EXCL;
    pal_file_t *f = hooks.alloc(sizeof *f);
    if (!f) return PAL_ENOMEM;
    f->fd = open(path, of, 0600);
    if (f->fd < 0) {
        int st = errno == ENOENT ? PAL_ENOENT : PAL_EIO;
        hooks.free(f);
        return fail(st, path);
    }
    *out = f;
    return PAL_OK;
}

long pal_file_read(pal_file_t *f, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(f->fd, buf, len);
        if (n >= 0) return (long)n;
        if (errno != EINTR) return fail(PAL_EIO, "read");
    }
}

long pal_file_write(pal_file_t *f, const void *buf, size_t len)
{
    const char *p = buf;
    size_t left = len;
    while (left) {
        ssize_t n = write(f->fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(PAL_EIO, "write");
        }
        p += n;
        left -= (size_t)n;
    }
    return (long)len;
}

int pal_file_sync(pal_file_t *f) { return fsync(f->fd) == 0 ? PAL_OK : fail(PAL_EIO, "fsync"); }

void pal_file_close(pal_file_t *f)
{
    if (!f) return;
    close(f->fd);
    hooks.free(f);
}

int pal_file_size(const char *path, uint64_t *size)
{
    struct stat st;
    if (stat(path, &st) != 0) return fail(errno == ENOENT ? PAL_ENOENT : PAL_EIO, path);
    *size = (uint64_t)st.st_size;
    return PAL_OK;
}

int pal_file_stat(pal_file_t *f, pal_file_stat_t *out)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0) return fail(PAL_EIO, "fstat");
    out->size = (uint64_t)st.st_size;
    out->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    out->is_dir = S_ISDIR(st.st_mode);
    return PAL_OK;
}

int pal_path_resolve(const char *path, char *out, size_t len)
{
    char *real = realpath(path, NULL); /* the C library's own buffer: our hooks never see it */
    if (!real) return fail(errno == ENOENT || errno == ENOTDIR ? PAL_ENOENT : PAL_EIO, path);
    size_t n = strlen(real);
    int st = n < len ? PAL_OK : fail(PAL_EIO, "resolved path too long");
    if (st == PAL_OK) memcpy(out, real, n + 1);
    free(real);
    return st;
}

int pal_file_rename(const char *from, const char *to)
{
    return rename(from, to) == 0 ? PAL_OK : fail(PAL_EIO, "rename");
}

int pal_file_remove(const char *path)
{
    if (unlink(path) == 0) return PAL_OK;
    return fail(errno == ENOENT ? PAL_ENOENT : PAL_EIO, path);
}

int pal_dir_make(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        snprintf(last_error, sizeof last_error, "path too long");
        return PAL_EIO;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) return fail(PAL_EIO, buf);
        buf[i] = c;
    }
    return PAL_OK;
}

int pal_dir_list(const char *path, int (*fn)(const char *name, int is_dir, void *ud), void *ud)
{
    DIR *d = opendir(path);
    if (!d) return fail(errno == ENOENT ? PAL_ENOENT : PAL_EIO, path);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        int is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {
            char full[4096];
            struct stat st;
            snprintf(full, sizeof full, "%s/%s", path, e->d_name);
            is_dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
        }
        if (fn(e->d_name, is_dir, ud)) break;
    }
    closedir(d);
    return PAL_OK;
}

int pal_default_data_dir(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && *xdg) n = snprintf(buf, len, "%s/pipit", xdg);
    else if (home && *home) n = snprintf(buf, len, "%s/.local/share/pipit", home);
    else n = snprintf(buf, len, "/var/lib/pipit");
    return (n > 0 && (size_t)n < len) ? PAL_OK : PAL_EIO;
}

const char *pal_env(const char *name) { return getenv(name); }

/* ---- worker thread ---- */
struct pal_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pal_job_t *queue_head, *queue_tail;
    pal_job_t *done_head, *done_tail;
    int stopping;
    pal_wakeup_t *wakeup;
};

static void *worker_main(void *arg)
{
    pal_worker_t *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->queue_head && !w->stopping) pthread_cond_wait(&w->cv, &w->mu);
        pal_job_t *job = w->queue_head;
        if (!job) break; /* stopping and nothing left */
        w->queue_head = job->next;
        if (!w->queue_head) w->queue_tail = NULL;
        pthread_mutex_unlock(&w->mu);
        job->run(job);
        pthread_mutex_lock(&w->mu);
        job->next = NULL;
        if (w->done_tail) w->done_tail->next = job;
        else w->done_head = job;
        w->done_tail = job;
        pal_wakeup_signal(w->wakeup);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int pal_worker_start(pal_wakeup_t *done_wakeup, pal_worker_t **out)
{
    pal_worker_t *w = hooks.alloc(sizeof *w);
    if (!w) return PAL_ENOMEM;
    memset(w, 0, sizeof *w);
    w->wakeup = done_wakeup;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        hooks.free(w);
        return fail(PAL_EIO, "pthread_create");
    }
    *out = w;
    return PAL_OK;
}

void pal_worker_submit(pal_worker_t *w, pal_job_t *job)
{
    job->next = NULL;
    pthread_mutex_lock(&w->mu);
    if (w->queue_tail) w->queue_tail->next = job;
    else w->queue_head = job;
    w->queue_tail = job;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

pal_job_t *pal_worker_reap(pal_worker_t *w)
{
    pthread_mutex_lock(&w->mu);
    pal_job_t *list = w->done_head;
    w->done_head = w->done_tail = NULL;
    pthread_mutex_unlock(&w->mu);
    return list;
}

void pal_worker_stop(pal_worker_t *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    hooks.free(w);
}
