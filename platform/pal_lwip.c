/* pal_lwip — the PAL's network half on lwIP's socket API (lwIP 2.2.1, NO_SYS=0).
 *
 * What comes from lwIP: start-up (pal_init starts lwIP's tcpip thread), TCP sockets
 * (lwip_socket/bind/listen/accept/connect/recv/send/close), readiness (pal_poll is lwip_poll),
 * and the wake-up's readable end (a loopback UDP socket inside lwIP, so one lwip_poll watches
 * it beside the loop's other sockets).
 *
 * What comes from the host (the RTOS on a device), kept apart below and in pal_posix.c built
 * with -DPAL_POSIX_BASE_ONLY (see pal_posix_base.h): time, entropy, files, signals, the worker
 * thread, and the wake-up's signalling side — a host pipe and a relay thread. pal_wakeup_signal
 * must work from any thread and from a signal handler, and lwIP's socket calls are neither
 * async-signal-safe nor meant for several threads sending on one socket; so signal writes a
 * byte to the pipe (async-signal-safe), and the relay thread — the only user of the sending
 * UDP socket — turns each batch of bytes into one datagram to the loop's socket. On an RTOS
 * the pipe is a task notification (…FromISR in an interrupt) and the relay a small task.
 *
 * The loop thread is the only one that touches its sockets; lwIP's core lock
 * (LWIP_TCPIP_CORE_LOCKING) serialises it with the tcpip thread and the relay.
 */
#include "pal.h"
#include "pal_posix_base.h"

/* lwIP first: its sockets.h defines O_NONBLOCK, F_SETFL, struct pollfd… only when no host
 * header has; the library was compiled with lwIP's values, so this file must see them too. */
#include "lwip/opt.h"
#include "lwip/inet.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#include <errno.h>
#include <pthread.h> /* host: the wake-up relay thread */
#include <stdio.h>
#include <string.h>

#if !LWIP_SOCKET || !LWIP_SOCKET_POLL || NO_SYS
#error "pal_lwip needs lwipopts.h with NO_SYS=0, LWIP_SOCKET=1 and LWIP_SOCKET_POLL=1"
#endif
_Static_assert(O_NONBLOCK == 1 && F_SETFL == 4, "a host <fcntl.h> came before lwIP's sockets.h");
_Static_assert(POLLIN == 0x1 && POLLOUT == 0x2 && POLLNVAL == 0x8, "a host <poll.h> came before lwIP's sockets.h");

static int fail(int status, const char *what)
{
    return pal_posix_base_error(status, "%s: %s (lwIP)", what, strerror(errno));
}

const char *pal_name(void) { return "lwip"; }

/* ---- start-up: lwIP's tcpip thread (and with it the loopback netif, 127.0.0.1 and ::1) ---- */
static int lwip_started;

static void tcpip_ready(void *arg) { sys_sem_signal((sys_sem_t *)arg); }

size_t pal_fd_limit(size_t want)
{
    (void)want; /* lwIP's sockets are MEMP_NUM_NETCONN, fixed at build time */
    return 0;
}

int pal_init(const pal_hooks_t *h)
{
    pal_posix_base_init(h);
    if (lwip_started) return PAL_OK; /* lwIP cannot be stopped and started again */
    sys_sem_t ready;
    if (sys_sem_new(&ready, 0) != ERR_OK) return pal_posix_base_error(PAL_ENOMEM, "lwIP: no semaphore");
    tcpip_init(tcpip_ready, &ready);
    sys_sem_wait(&ready);
    sys_sem_free(&ready);
    lwip_started = 1;
    return PAL_OK;
}

/* lwIP 2.2.1 has no tcpip_deinit: its thread and pools live until the process ends. */
void pal_shutdown(void) {}

/* ---- addresses ---- */
static int resolve_numeric(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *sl)
{
    if (!host || !*host || strcmp(host, "localhost") == 0) host = "127.0.0.1";
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (lwip_inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_len = sizeof *a4;
        a4->sin_family = AF_INET;
        a4->sin_port = lwip_htons(port);
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
    if (lwip_inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
        a6->sin6_len = sizeof *a6;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = lwip_htons(port);
        *sl = sizeof *a6;
        return 0;
    }
    pal_posix_base_error(0, "'%s' is not a numeric IP address (lwIP has no DNS here)", host);
    return -1;
}

int pal_host_is_loopback(const char *host)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (resolve_numeric(host, 0, &ss, &sl) != 0) return 0;
    if (ss.ss_family == AF_INET)
        return (lwip_ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    const struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
    for (int i = 0; i < 15; i++)
        if (a->s6_addr[i]) return 0;
    return a->s6_addr[15] == 1;
}

/* ---- sockets ---- */
static int set_nonblocking(int s) { return lwip_fcntl(s, F_SETFL, O_NONBLOCK); }

static void set_nodelay(int s)
{
    int one = 1;
    lwip_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int pal_tcp_listen(const char *host, uint16_t port, int backlog, pal_sock_t *out)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (resolve_numeric(host, port, &ss, &sl) != 0) return PAL_EIO;
    int s = lwip_socket(ss.ss_family, SOCK_STREAM, 0);
    if (s < 0) return fail(PAL_EIO, "socket");
    int one = 1;
    lwip_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lwip_bind(s, (struct sockaddr *)&ss, sl) != 0) {
        int st = errno == EADDRINUSE ? PAL_EADDRINUSE : PAL_EIO;
        fail(st, "bind");
        lwip_close(s);
        return st;
    }
    if (lwip_listen(s, backlog) != 0 || set_nonblocking(s) != 0) {
        fail(PAL_EIO, "listen");
        lwip_close(s);
        return PAL_EIO;
    }
    *out = s;
    return PAL_OK;
}

int pal_tcp_accept(pal_sock_t listener, pal_sock_t *out)
{
    int s = lwip_accept(listener, NULL, NULL);
    if (s < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? PAL_EAGAIN : fail(PAL_EIO, "accept");
    if (set_nonblocking(s) != 0) { /* lwIP's accepted sockets do not inherit O_NONBLOCK */
        fail(PAL_EIO, "fcntl");
        lwip_close(s);
        return PAL_EIO;
    }
    set_nodelay(s);
    *out = s;
    return PAL_OK;
}

int pal_tcp_connect(const char *host, uint16_t port, pal_sock_t *out)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (resolve_numeric(host, port, &ss, &sl) != 0) return PAL_EIO;
    int s = lwip_socket(ss.ss_family, SOCK_STREAM, 0);
    if (s < 0) return fail(PAL_EIO, "socket");
    if (set_nonblocking(s) != 0) {
        fail(PAL_EIO, "fcntl");
        lwip_close(s);
        return PAL_EIO;
    }
    set_nodelay(s);
    *out = s;
    if (lwip_connect(s, (struct sockaddr *)&ss, sl) == 0) return PAL_OK;
    if (errno == EINPROGRESS) return PAL_EINPROGRESS;
    fail(PAL_EIO, "connect");
    lwip_close(s);
    *out = PAL_SOCK_INVALID;
    return PAL_EIO;
}

int pal_tcp_connect_result(pal_sock_t s)
{
    int err = 0;
    socklen_t l = sizeof err;
    if (lwip_getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &l) != 0) return fail(PAL_EIO, "getsockopt");
    if (err == 0) return PAL_OK;
    errno = err;
    return fail(PAL_EIO, "connect");
}

long pal_sock_read(pal_sock_t s, void *buf, size_t len)
{
    ssize_t n = lwip_recv(s, buf, len, 0);
    if (n > 0) return (long)n;
    if (n == 0) return PAL_ECLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return PAL_EAGAIN;
    return fail(PAL_EIO, "recv");
}

long pal_sock_write(pal_sock_t s, const void *buf, size_t len)
{
    ssize_t n = lwip_send(s, buf, len, 0);
    if (n >= 0) return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return PAL_EAGAIN;
    return fail(PAL_EIO, "send");
}

void pal_sock_close(pal_sock_t s)
{
    if (s >= LWIP_SOCKET_OFFSET) lwip_close(s);
}

int pal_sock_local_port(pal_sock_t s, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (lwip_getsockname(s, (struct sockaddr *)&ss, &sl) != 0) return fail(PAL_EIO, "getsockname");
    *port = lwip_ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                               : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return PAL_OK;
}

/* ---- readiness: lwip_poll ---- */
int pal_poll(pal_pollfd_t *fds, size_t n, int timeout_ms)
{
    static _Thread_local struct pollfd *scratch;
    static _Thread_local size_t scratch_cap;
    if (n == 0) { /* the loop is shutting down: release the scratch (lwip_poll wants n > 0) */
        if (scratch) pal_posix_base_free(scratch);
        scratch = NULL;
        scratch_cap = 0;
        if (timeout_ms > 0) pal_sleep_ms((uint32_t)timeout_ms);
        return 0;
    }
    if (n > scratch_cap) {
        size_t cap = n < 64 ? 64 : n * 2;
        struct pollfd *p = pal_posix_base_alloc(cap * sizeof *p);
        if (!p) return PAL_ENOMEM;
        if (scratch) pal_posix_base_free(scratch);
        scratch = p;
        scratch_cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        scratch[i].fd = fds[i].sock;
        scratch[i].events = (short)(((fds[i].events & PAL_POLL_IN) ? POLLIN : 0) |
                                    ((fds[i].events & PAL_POLL_OUT) ? POLLOUT : 0));
        scratch[i].revents = 0;
        fds[i].revents = 0;
    }
    /* Unlike poll(2), lwip_poll fails as a whole on a socket that is not open, marking only
     * that one POLLNVAL: report it as PAL_POLL_ERR (as poll(2)'s POLLNVAL is), leave it out and
     * look again without waiting, until the rest scans cleanly. */
    int invalid = 0, r;
    for (;;) {
        r = lwip_poll(scratch, (nfds_t)n, invalid ? 0 : timeout_ms);
        if (r >= 0) break;
        int found = 0;
        for (size_t i = 0; i < n; i++)
            if (scratch[i].fd >= 0 && (scratch[i].revents & POLLNVAL)) {
                scratch[i].fd = -1;
                fds[i].revents = PAL_POLL_ERR;
                found++;
            }
        if (!found) return fail(PAL_EIO, "lwip_poll");
        invalid += found;
    }
    int ready = 0;
    for (size_t i = 0; i < n; i++) {
        if (scratch[i].fd >= 0) {
            short re = scratch[i].revents;
            fds[i].revents = (uint16_t)(((re & POLLIN) ? PAL_POLL_IN : 0) | ((re & POLLOUT) ? PAL_POLL_OUT : 0) |
                                        ((re & (POLLERR | POLLNVAL)) ? PAL_POLL_ERR : 0) |
                                        ((re & POLLHUP) ? PAL_POLL_HUP : 0));
        }
        if (fds[i].revents) ready++;
    }
    return ready;
}

/* ---- wake-up: host pipe -> relay thread -> loopback UDP datagram inside lwIP ---- */
struct pal_wakeup {
    int rx;      /* lwIP UDP socket on 127.0.0.1, non-blocking: the loop polls it */
    int tx;      /* lwIP UDP socket connected to rx: used by the relay thread only */
    int pipe[2]; /* host: [1] written by pal_wakeup_signal, [0] read by the relay */
    pthread_t relay;
};

/* host (an RTOS task on a device): one datagram per batch of pokes; ends when the pipe closes */
static void *relay_main(void *arg)
{
    pal_wakeup_t *w = arg;
    while (pal_posix_base_pipe_wait(w->pipe[0]) > 0) {
        char c = 1;
        lwip_send(w->tx, &c, 1, 0); /* a full receive queue drops it: one queued is enough */
    }
    return NULL;
}

static void wakeup_free(pal_wakeup_t *w)
{
    if (w->rx >= 0) lwip_close(w->rx);
    if (w->tx >= 0) lwip_close(w->tx);
    pal_posix_base_pipe_close(w->pipe[0]);
    pal_posix_base_pipe_close(w->pipe[1]);
    pal_posix_base_free(w);
}

int pal_wakeup_open(pal_wakeup_t **out)
{
    pal_wakeup_t *w = pal_posix_base_alloc(sizeof *w);
    if (!w) return PAL_ENOMEM;
    memset(w, 0, sizeof *w);
    w->rx = w->tx = w->pipe[0] = w->pipe[1] = -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = lwip_htonl(0x7f000001u);
    socklen_t al = sizeof a;
    int st = PAL_EIO;
    if ((w->rx = lwip_socket(AF_INET, SOCK_DGRAM, 0)) < 0) fail(PAL_EIO, "wake-up socket");
    else if (lwip_bind(w->rx, (struct sockaddr *)&a, sizeof a) != 0) fail(PAL_EIO, "wake-up bind");
    else if (lwip_getsockname(w->rx, (struct sockaddr *)&a, &al) != 0) fail(PAL_EIO, "wake-up getsockname");
    else if (set_nonblocking(w->rx) != 0) fail(PAL_EIO, "wake-up fcntl");
    else if ((w->tx = lwip_socket(AF_INET, SOCK_DGRAM, 0)) < 0) fail(PAL_EIO, "wake-up socket");
    else if (lwip_connect(w->tx, (struct sockaddr *)&a, sizeof a) != 0) fail(PAL_EIO, "wake-up connect");
    else if ((st = pal_posix_base_pipe(w->pipe)) != PAL_OK) {}
    else if (pthread_create(&w->relay, NULL, relay_main, w) != 0) st = pal_posix_base_error(PAL_EIO, "wake-up relay thread");
    else {
        *out = w;
        return PAL_OK;
    }
    wakeup_free(w);
    return st;
}

void pal_wakeup_close(pal_wakeup_t *w)
{
    if (!w) return;
    pal_posix_base_pipe_close(w->pipe[1]); /* the relay sees end of file and returns */
    w->pipe[1] = -1;
    pthread_join(w->relay, NULL);
    wakeup_free(w);
}

pal_sock_t pal_wakeup_sock(pal_wakeup_t *w) { return w->rx; }

void pal_wakeup_signal(pal_wakeup_t *w) { pal_posix_base_pipe_poke(w->pipe[1]); }

void pal_wakeup_drain(pal_wakeup_t *w)
{
    char buf[16];
    while (lwip_recv(w->rx, buf, sizeof buf, 0) > 0) {}
}
