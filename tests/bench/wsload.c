/* wsload — the bench's one WebSocket client (tests/bench/bench_compare.py): opens N idle
 * WebSocket clients to one server from one thread (epoll, non-blocking sockets), measures the
 * server's RSS before and after (--pid), then runs broadcast rounds: each round sends one HTTP
 * request that makes the server push a message to every client (--trigger, a JSON body holding
 * "wsload-<round>-"), and records, per client, the time from just before that request to the
 * frame carrying the round's mark. Prints one JSON object on stdout.
 *
 *   wsload --port P [--host 127.0.0.1] [--path /ws] --clients N [--concurrency 256]
 *          [--rounds 10] [--pid PID] [--trigger 'PUT /api/1/messages'] [--probe /api/1/info]
 *   wsload --floor N   the machine's floor for a broadcast: one thread sending an 80-byte frame
 *                      to each of N accepted loopback TCP sockets, nothing else (median of 5)
 *
 * A test tool: it may use the OS directly (the node's rule on OS headers is for core/, services/
 * and db/). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ST_CONNECTING, ST_HANDSHAKE, ST_OPEN, ST_DEAD, ST_TRIGGER };

typedef struct {
    int fd;
    int state;
    int last_round;     /* the last round whose frame arrived */
    size_t len;         /* bytes in buf */
    uint64_t skip;      /* payload bytes of an oversized frame still to drop */
    unsigned char buf[1024];
} client_t;

static const char *host = "127.0.0.1", *path = "/ws", *trigger = "PUT /api/1/messages", *probe;
static int port, nclients = 1000, concurrency = 256, rounds = 10, pid;
static client_t *clients;
static int ep;
static double *samples;
static size_t nsamples;
static int cur_round;
static int got_round; /* clients that have the current round */
static int nopen;     /* clients open now */
static client_t trig = {.fd = -1, .state = ST_DEAD}; /* the current round's HTTP request */
static int trig_status;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static long rss_kib(void)
{
    char p[64], line[256];
    long v = -1;
    if (!pid) return -1;
    snprintf(p, sizeof p, "/proc/%d/status", pid);
    FILE *f = fopen(p, "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) v = strtol(line + 6, NULL, 10);
    fclose(f);
    return v;
}

static int tcp_open(int nonblock)
{
    int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0) | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static void kill_client(client_t *c)
{
    if (c->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    if (c->state == ST_OPEN) nopen--;
    c->fd = -1;
    c->state = ST_DEAD;
}

/* A masked frame from client to server (pong answers to pings). */
static void send_frame(client_t *c, int opcode, const unsigned char *p, size_t n)
{
    unsigned char f[2 + 4 + 125];
    if (n > 125) n = 125;
    f[0] = (unsigned char)(0x80 | opcode);
    f[1] = (unsigned char)(0x80 | n);
    memcpy(f + 2, "\x11\x22\x33\x44", 4);
    for (size_t i = 0; i < n; i++) f[6 + i] = p[i] ^ f[2 + (i & 3)];
    if (send(c->fd, f, 6 + n, MSG_NOSIGNAL) < 0 && errno != EAGAIN) kill_client(c);
}

/* A text frame's payload (or its first bytes): the round mark, if any. */
static void on_text(client_t *c, const unsigned char *p, size_t n, uint64_t t)
{
    static const char mark[] = "wsload-";
    const unsigned char *hit = memmem(p, n, mark, sizeof mark - 1);
    if (!hit) return;
    int r = atoi((const char *)hit + sizeof mark - 1);
    if (r == cur_round && c->last_round < r) {
        c->last_round = r;
        got_round++;
        samples[nsamples++] = (double)t;
    }
}

/* Frames in c->buf; keeps a partial one. */
static void parse_frames(client_t *c, uint64_t t)
{
    size_t off = 0;
    while (c->state == ST_OPEN) {
        unsigned char *b = c->buf + off;
        size_t have = c->len - off;
        if (c->skip) {
            size_t k = have < c->skip ? have : (size_t)c->skip;
            c->skip -= k;
            off += k;
            if (c->skip) break;
            continue;
        }
        if (have < 2) break;
        int opcode = b[0] & 0x0f;
        uint64_t plen = b[1] & 0x7f;
        size_t hl = 2;
        if (plen == 126) {
            if (have < 4) break;
            plen = (uint64_t)b[2] << 8 | b[3];
            hl = 4;
        } else if (plen == 127) {
            if (have < 10) break;
            plen = 0;
            for (int i = 0; i < 8; i++) plen = plen << 8 | b[2 + i];
            hl = 10;
        }
        if (b[1] & 0x80) hl += 4; /* a masked server frame: not expected, skipped over */
        if (hl + plen > sizeof c->buf) { /* too big to hold: read its start, drop the rest */
            if (have < sizeof c->buf) break;
            if (opcode == 1) on_text(c, b + hl, have - hl, t);
            c->skip = hl + plen - have;
            off += have;
            continue;
        }
        if (have < hl + plen) break;
        if (opcode == 1) on_text(c, b + hl, (size_t)plen, t);
        else if (opcode == 9) send_frame(c, 10, b + hl, (size_t)plen);
        else if (opcode == 8) {
            kill_client(c);
            return;
        }
        off += hl + (size_t)plen;
    }
    if (off) {
        memmove(c->buf, c->buf + off, c->len - off);
        c->len -= off;
    }
}

static int handshake_sent(client_t *c)
{
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "Origin: http://%s:%d\r\n\r\n",
                     path, host, port, host, port);
    return send(c->fd, req, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
}

/* returns 1 when the client just became open, -1 when it failed */
static int on_event(client_t *c, uint32_t ev, uint64_t t)
{
    if (c->state == ST_CONNECTING) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err || (ev & (EPOLLERR | EPOLLHUP)) || handshake_sent(c) != 0) return kill_client(c), -1;
        c->state = ST_HANDSHAKE;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
        return 0;
    }
    if (c->state == ST_TRIGGER) { /* the answer: its status, the rest dropped */
        ssize_t n;
        while ((n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0)) > 0) {
            c->len += (size_t)n;
            if (!trig_status && c->len >= 12) trig_status = atoi((const char *)c->buf + 9);
            if (c->len == sizeof c->buf) c->len = 12;
        }
        if (n == 0 || errno != EAGAIN) {
            if (!trig_status) trig_status = -1;
            kill_client(c);
        }
        return 0;
    }
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            int was = c->state;
            kill_client(c);
            return was == ST_HANDSHAKE ? -1 : 0;
        }
        if (n < 0) return 0;
        c->len += (size_t)n;
        if (c->state == ST_HANDSHAKE) {
            unsigned char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
            if (!end) {
                if (c->len == sizeof c->buf) return kill_client(c), -1;
                continue;
            }
            if (c->len < 12 || memcmp(c->buf + 9, "101", 3) != 0) return kill_client(c), -1;
            size_t hl = (size_t)(end + 4 - c->buf);
            memmove(c->buf, c->buf + hl, c->len - hl);
            c->len -= hl;
            c->state = ST_OPEN;
            nopen++;
            parse_frames(c, t);
            return 1;
        }
        parse_frames(c, t);
        if (c->state != ST_OPEN) return 0;
    }
}

static int http_send(int fd, const char *method, const char *target, const char *body)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, target, host, port, body ? strlen(body) : 0, body ? body : "");
    return send(fd, req, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
}

/* One HTTP request on its own blocking connection (nothing else goes on meanwhile: for the
 * probe, not the trigger); the response body into out. Returns the status or -1. */
static int http_request(const char *method, const char *target, const char *body, char *out, size_t outlen)
{
    int fd = tcp_open(0);
    if (fd < 0 || http_send(fd, method, target, body) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    size_t got = 0;
    ssize_t k;
    while (got + 1 < outlen && (k = recv(fd, out + got, outlen - 1 - got, 0)) > 0) got += (size_t)k;
    out[got] = 0;
    close(fd);
    int status = got > 12 ? atoi(out + 9) : -1;
    char *b = strstr(out, "\r\n\r\n");
    if (b) memmove(out, b + 4, strlen(b + 4) + 1);
    return status;
}

/* The round's trigger: connected and sent blocking (a loopback connect and one send, inside
 * the measured time), then its answer read on the event loop with the clients' frames. */
static int trigger_send(const char *method, const char *target, const char *body)
{
    int fd = tcp_open(0);
    trig_status = 0;
    if (fd < 0 || http_send(fd, method, target, body) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    trig.fd = fd;
    trig.state = ST_TRIGGER;
    trig.len = 0;
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &trig};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
    return 0;
}

/* Serves events until done() (NULL: never) or the deadline. */
static void run_until(uint64_t deadline, int (*done)(void))
{
    struct epoll_event evs[512];
    while (!(done && done())) {
        uint64_t t = now_us();
        if (t >= deadline) return;
        int wait_ms = (int)((deadline - t) / 1000) + 1;
        int n = epoll_wait(ep, evs, 512, wait_ms > 100 ? 100 : wait_ms);
        uint64_t tr = now_us();
        for (int i = 0; i < n; i++) on_event(evs[i].data.ptr, evs[i].events, tr);
    }
}

static int started, connected, failed, inflight;
static int connect_done(void) { return started == nclients && inflight == 0; }
static int round_done(void) { return got_round >= nopen && trig.state != ST_TRIGGER; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    if (!n) return -1;
    size_t k = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return v[k < n ? k : n - 1];
}

static void connect_all(void)
{
    struct epoll_event evs[512];
    while (!connect_done()) {
        while (started < nclients && inflight < concurrency) {
            client_t *c = &clients[started++];
            c->fd = tcp_open(1);
            if (c->fd < 0) {
                c->state = ST_DEAD;
                failed++;
                continue;
            }
            c->state = ST_CONNECTING;
            struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e);
            inflight++;
        }
        int n = epoll_wait(ep, evs, 512, 1000);
        static int idle;
        if (n > 0) idle = 0;
        if (n == 0 && inflight) { /* 30 s with no progress at all: what hangs has failed */
            if (++idle >= 30) {
                for (int i = 0; i < started; i++)
                    if (clients[i].state == ST_CONNECTING || clients[i].state == ST_HANDSHAKE) {
                        kill_client(&clients[i]);
                        failed++;
                        inflight--;
                    }
            }
            continue;
        }
        uint64_t t = now_us();
        for (int i = 0; i < n; i++) {
            client_t *c = evs[i].data.ptr;
            int was = c->state;
            int r = on_event(c, evs[i].events, t);
            if (was == ST_OPEN) continue;
            if (r == 1) connected++, inflight--;
            else if (r < 0) failed++, inflight--;
        }
    }
}

static int cmp_double(const void *a, const void *b);

/* --floor: what one send() per client costs here, with no server around it */
static int floor_run(int n)
{
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096) ||
        getsockname(ls, (struct sockaddr *)&a, &al))
        return 1;
    int *srv = calloc((size_t)n, sizeof *srv), *cli = calloc((size_t)n, sizeof *cli);
    if (!srv || !cli) return 1;
    for (int i = 0; i < n; i++) {
        cli[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (cli[i] < 0 || connect(cli[i], (struct sockaddr *)&a, sizeof a) || (srv[i] = accept(ls, NULL, NULL)) < 0) {
            fprintf(stderr, "wsload --floor: socket %d: %s\n", i, strerror(errno));
            return 1;
        }
        int one = 1;
        setsockopt(srv[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(cli[i], F_SETFL, O_NONBLOCK);
    }
    unsigned char frame[80] = {0x81, 78};
    double ms[5];
    for (int r = 0; r < 5; r++) {
        uint64_t t0 = now_us();
        for (int i = 0; i < n; i++) send(srv[i], frame, sizeof frame, MSG_DONTWAIT | MSG_NOSIGNAL);
        ms[r] = (double)(now_us() - t0) / 1000.0;
        for (int i = 0; i < n; i++) recv(cli[i], frame + 2, sizeof frame - 2, 0);
    }
    qsort(ms, 5, sizeof ms[0], cmp_double);
    printf("{\"floor_clients\": %d, \"floor_ms\": %.3f, \"floor_us_per_send\": %.2f}\n", n, ms[2], ms[2] * 1000.0 / n);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--host")) host = v;
        else if (!strcmp(k, "--port")) port = atoi(v);
        else if (!strcmp(k, "--path")) path = v;
        else if (!strcmp(k, "--clients")) nclients = atoi(v);
        else if (!strcmp(k, "--concurrency")) concurrency = atoi(v);
        else if (!strcmp(k, "--rounds")) rounds = atoi(v);
        else if (!strcmp(k, "--pid")) pid = atoi(v);
        else if (!strcmp(k, "--trigger")) trigger = v;
        else if (!strcmp(k, "--probe")) probe = v;
        else if (!strcmp(k, "--floor")) {
            struct rlimit fl;
            getrlimit(RLIMIT_NOFILE, &fl);
            fl.rlim_cur = fl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &fl);
            int n = atoi(v), most = (int)(fl.rlim_cur > 100000 ? 50000 : (fl.rlim_cur - 64) / 2); /* two ends each */
            return floor_run(n < most ? n : most);
        }
        else {
            fprintf(stderr, "wsload: unknown option %s\n", k);
            return 2;
        }
    }
    if (!port || nclients < 1) {
        fprintf(stderr, "usage: wsload --port P --clients N [--host H] [--path /ws] [--concurrency C] [--rounds R] "
                        "[--pid PID] [--trigger 'PUT /api/1/messages'] [--probe PATH]\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if ((rlim_t)nclients + 64 > rl.rlim_cur) {
        fprintf(stderr, "wsload: %d clients need more descriptors than the limit %lu\n", nclients, (unsigned long)rl.rlim_cur);
        return 2;
    }
    clients = calloc((size_t)nclients, sizeof *clients);
    samples = calloc((size_t)nclients * (size_t)(rounds > 0 ? rounds : 1), sizeof *samples);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (!clients || !samples || ep < 0) return 1;
    for (int i = 0; i < nclients; i++) clients[i].fd = -1;

    long rss_before = rss_kib();
    uint64_t t0 = now_us();
    connect_all();
    double connect_s = (double)(now_us() - t0) / 1e6;
    /* settle: the server finishes what each accept started */
    run_until(now_us() + 1000000, NULL);
    long rss_after = rss_kib();
    static char probe_body[65536];
    int probe_status = probe ? http_request("GET", probe, NULL, probe_body, sizeof probe_body) : 0;

    char method[16] = "PUT", target[256] = "/api/1/messages";
    sscanf(trigger, "%15s %255s", method, target);
    int trigger_fail = 0;
    for (int r = 1; r <= rounds; r++) {
        char body[128];
        size_t before = nsamples;
        snprintf(body, sizeof body, "{\"verbosity\": \"warning\", \"value\": \"wsload-%d- broadcast\"}", r);
        cur_round = r;
        got_round = 0;
        uint64_t ts = now_us();
        if (trigger_send(method, target, body) != 0) trigger_fail++;
        run_until(now_us() + 10000000, round_done);
        if (trig.state == ST_TRIGGER) kill_client(&trig);
        if (trig_status < 200 || trig_status > 299) trigger_fail++;
        for (size_t k = before; k < nsamples; k++) samples[k] = (samples[k] - (double)ts) / 1000.0;
        run_until(now_us() + 200000, NULL);
    }
    int open = nopen;
    qsort(samples, nsamples, sizeof *samples, cmp_double);
    size_t expected = (size_t)connected * (size_t)rounds;
    printf("{\"clients\": %d, \"connected\": %d, \"failed\": %d, \"open_at_end\": %d, \"connect_s\": %.3f, "
           "\"rss_before_kib\": %ld, \"rss_after_kib\": %ld, \"bytes_per_client\": %.0f, \"rounds\": %d, "
           "\"trigger_failures\": %d, \"deliveries\": %zu, \"missed\": %zu, "
           "\"bcast_p50_ms\": %.3f, \"bcast_p99_ms\": %.3f, \"bcast_max_ms\": %.3f, \"probe_status\": %d",
           nclients, connected, failed, open, connect_s, rss_before, rss_after,
           connected ? (double)(rss_after - rss_before) * 1024.0 / connected : 0.0, rounds, trigger_fail, nsamples,
           expected > nsamples ? expected - nsamples : 0, pct(samples, nsamples, 50), pct(samples, nsamples, 99),
           nsamples ? samples[nsamples - 1] : -1.0, probe_status);
    if (probe && probe_status == 200) printf(", \"probe\": %s", probe_body);
    printf("}\n");
    for (int i = 0; i < nclients; i++)
        if (clients[i].fd >= 0) close(clients[i].fd);
    return connected ? 0 : 1;
}
