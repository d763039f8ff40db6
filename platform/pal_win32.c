/* pal_win32 — the PAL on Windows (Vista+ API set; Windows 8+ for the precise wall clock):
 * Winsock2 with WSAPoll, a loopback TCP pair as the loop's wake-up, SetConsoleCtrlHandler for
 * Ctrl-C / console close, Win32 threads with SRW locks and condition variables, BCryptGenRandom,
 * and UTF-8 paths converted to UTF-16 for the wide-char file API. Built with mingw-w64. */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0602
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <bcrypt.h>
#include <process.h>

#include "pal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

static pal_hooks_t hooks;
static _Thread_local char last_error[160];
static int wsa_started;
static LARGE_INTEGER qpc_freq;
static UINT timer_period; /* 1 when timeBeginPeriod(1) took effect */

/* A Win32 or Winsock error code as text (English where the system has it). */
static int fail_code(int status, const char *what, DWORD code)
{
    char msg[112];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                             MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), msg, sizeof msg, NULL);
    if (n == 0) n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, msg,
                                   sizeof msg, NULL);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == ' ' || msg[n - 1] == '.')) n--;
    if (n) snprintf(last_error, sizeof last_error, "%s: %.*s (%lu)", what, (int)n, msg, (unsigned long)code);
    else snprintf(last_error, sizeof last_error, "%s: error %lu", what, (unsigned long)code);
    return status;
}

static int fail(int status, const char *what) { return fail_code(status, what, GetLastError()); }
static int fail_wsa(int status, const char *what) { return fail_code(status, what, (DWORD)WSAGetLastError()); }

static int is_enoent(DWORD e)
{
    return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND || e == ERROR_INVALID_NAME ||
           e == ERROR_BAD_NETPATH;
}

const char *pal_last_error(void) { return last_error; }
const char *pal_name(void) { return "win32"; }

/* timeBeginPeriod lives in winmm; loaded at run time so the link needs no extra library. */
typedef UINT(WINAPI *time_period_fn)(UINT);

static void set_timer_period(int begin)
{
    HMODULE m = GetModuleHandleA("winmm.dll");
    if (!m && begin) m = LoadLibraryA("winmm.dll");
    if (!m) return;
    time_period_fn fn = (time_period_fn)(void (*)(void))GetProcAddress(m, begin ? "timeBeginPeriod" : "timeEndPeriod");
    if (fn && fn(1) == 0) timer_period = begin ? 1 : 0;
}

size_t pal_fd_limit(size_t want)
{
    (void)want; /* sockets are handles: no per-process count to set */
    return 0;
}

int pal_init(const pal_hooks_t *h)
{
    hooks = *h;
    QueryPerformanceFrequency(&qpc_freq);
    if (!wsa_started) {
        WSADATA wd;
        int r = WSAStartup(MAKEWORD(2, 2), &wd);
        if (r != 0) return fail_code(PAL_EIO, "WSAStartup", (DWORD)r);
        wsa_started = 1;
    }
    /* poll timeouts and Sleep at 1 ms instead of the default 15.6 ms tick */
    if (!timer_period) set_timer_period(1);
    return PAL_OK;
}

void pal_shutdown(void)
{
    if (timer_period) set_timer_period(0);
    if (wsa_started) {
        WSACleanup();
        wsa_started = 0;
    }
}

/* ---- time ---- */
uint64_t pal_mono_us(void)
{
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    if (!qpc_freq.QuadPart) QueryPerformanceFrequency(&qpc_freq);
    uint64_t f = (uint64_t)qpc_freq.QuadPart, v = (uint64_t)c.QuadPart;
    return (v / f) * 1000000u + (v % f) * 1000000u / f;
}

uint64_t pal_mono_ms(void) { return pal_mono_us() / 1000u; }

int64_t pal_wall_ms(void)
{
    FILETIME ft;
    GetSystemTimePreciseAsFileTime(&ft);
    uint64_t t = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime; /* 100 ns since 1601 */
    return (int64_t)((t - 116444736000000000ull) / 10000u);
}

void pal_sleep_ms(uint32_t ms) { Sleep(ms); }

/* ---- sockets ---- */
static int set_nonblocking(SOCKET s)
{
    u_long one = 1;
    if (ioctlsocket(s, FIONBIO, &one) != 0) return -1;
    SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0); /* not inherited by children */
    return 0;
}

static int is_would_block(int e) { return e == WSAEWOULDBLOCK || e == WSAEINTR || e == WSAEINPROGRESS; }

static int resolve_numeric(const char *host, uint16_t port, struct sockaddr_storage *ss, int *sl)
{
    if (!host || !*host || strcmp(host, "localhost") == 0) host = "127.0.0.1";
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        *sl = (int)sizeof *a4;
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
        *sl = (int)sizeof *a6;
        return 0;
    }
    snprintf(last_error, sizeof last_error, "'%s' is not a numeric IP address", host);
    return -1;
}

int pal_host_is_loopback(const char *host)
{
    struct sockaddr_storage ss;
    int sl;
    if (resolve_numeric(host, 0, &ss, &sl) != 0) return 0;
    if (ss.ss_family == AF_INET) return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    const unsigned char *b = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
    for (int i = 0; i < 15; i++)
        if (b[i]) return 0;
    return b[15] == 1;
}

static SOCKET new_socket(int family)
{
    SOCKET s = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) return s;
    if (set_nonblocking(s) != 0) {
        closesocket(s);
        return INVALID_SOCKET;
    }
    return s;
}

int pal_tcp_listen(const char *host, uint16_t port, int backlog, pal_sock_t *out)
{
    struct sockaddr_storage ss;
    int sl;
    if (resolve_numeric(host, port, &ss, &sl) != 0) return PAL_EIO;
    SOCKET s = new_socket(ss.ss_family);
    if (s == INVALID_SOCKET) return fail_wsa(PAL_EIO, "socket");
    /* Windows' SO_REUSEADDR would let another process steal the port; exclusive is the
     * equivalent of POSIX behaviour (TIME_WAIT does not block a rebind on Windows). */
    BOOL one = TRUE;
    setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&one, sizeof one);
    if (bind(s, (struct sockaddr *)&ss, sl) != 0) {
        int e = WSAGetLastError();
        int st = (e == WSAEADDRINUSE || e == WSAEACCES) ? PAL_EADDRINUSE : PAL_EIO;
        fail_code(st, "bind", (DWORD)e);
        closesocket(s);
        return st;
    }
    if (listen(s, backlog) != 0) {
        fail_wsa(PAL_EIO, "listen");
        closesocket(s);
        return PAL_EIO;
    }
    *out = (pal_sock_t)s;
    return PAL_OK;
}

int pal_tcp_accept(pal_sock_t listener, pal_sock_t *out)
{
    SOCKET s = accept((SOCKET)listener, NULL, NULL);
    if (s == INVALID_SOCKET) {
        int e = WSAGetLastError();
        /* a connection reset before it was accepted is gone: nothing to accept */
        if (is_would_block(e) || e == WSAECONNRESET) return PAL_EAGAIN;
        return fail_code(PAL_EIO, "accept", (DWORD)e);
    }
    if (set_nonblocking(s) != 0) {
        fail_wsa(PAL_EIO, "ioctlsocket");
        closesocket(s);
        return PAL_EIO;
    }
    BOOL one = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    *out = (pal_sock_t)s;
    return PAL_OK;
}

int pal_tcp_connect(const char *host, uint16_t port, pal_sock_t *out)
{
    struct sockaddr_storage ss;
    int sl;
    if (resolve_numeric(host, port, &ss, &sl) != 0) return PAL_EIO;
    SOCKET s = new_socket(ss.ss_family);
    if (s == INVALID_SOCKET) return fail_wsa(PAL_EIO, "socket");
    BOOL one = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    *out = (pal_sock_t)s;
    if (connect(s, (struct sockaddr *)&ss, sl) == 0) return PAL_OK;
    int e = WSAGetLastError();
    if (e == WSAEWOULDBLOCK || e == WSAEINPROGRESS) return PAL_EINPROGRESS;
    fail_code(PAL_EIO, "connect", (DWORD)e);
    closesocket(s);
    *out = PAL_SOCK_INVALID;
    return PAL_EIO;
}

int pal_tcp_connect_result(pal_sock_t s)
{
    int err = 0;
    int l = (int)sizeof err;
    if (getsockopt((SOCKET)s, SOL_SOCKET, SO_ERROR, (char *)&err, &l) != 0) return fail_wsa(PAL_EIO, "getsockopt");
    if (err == 0) return PAL_OK;
    return fail_code(PAL_EIO, "connect", (DWORD)err);
}

long pal_sock_read(pal_sock_t s, void *buf, size_t len)
{
    int n = recv((SOCKET)s, buf, len > INT_MAX ? INT_MAX : (int)len, 0);
    if (n > 0) return (long)n;
    if (n == 0) return PAL_ECLOSED;
    int e = WSAGetLastError();
    if (is_would_block(e)) return PAL_EAGAIN;
    return fail_code(PAL_EIO, "recv", (DWORD)e);
}

long pal_sock_write(pal_sock_t s, const void *buf, size_t len)
{
    int n = send((SOCKET)s, buf, len > INT_MAX ? INT_MAX : (int)len, 0); /* no SIGPIPE on Windows */
    if (n >= 0) return (long)n;
    int e = WSAGetLastError();
    if (is_would_block(e)) return PAL_EAGAIN;
    return fail_code(PAL_EIO, "send", (DWORD)e);
}

void pal_sock_close(pal_sock_t s)
{
    if (s != PAL_SOCK_INVALID) closesocket((SOCKET)s);
}

int pal_sock_local_port(pal_sock_t s, uint16_t *port)
{
    struct sockaddr_storage ss;
    int sl = (int)sizeof ss;
    if (getsockname((SOCKET)s, (struct sockaddr *)&ss, &sl) != 0) return fail_wsa(PAL_EIO, "getsockname");
    *port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                          : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return PAL_OK;
}

/* ---- readiness: WSAPoll ---- */
int pal_poll(pal_pollfd_t *fds, size_t n, int timeout_ms)
{
    /* pal_pollfd_t is not WSAPOLLFD; translate through a reused scratch array. WSAPoll takes
     * only POLLRDNORM/POLLRDBAND/POLLWRNORM in events (POLLPRI and the rest are EINVAL). */
    static _Thread_local WSAPOLLFD *scratch;
    static _Thread_local size_t scratch_cap;
    if (n == 0) { /* WSAPoll refuses an empty set; the loop is shutting down or idle */
        if (scratch) {
            hooks.free(scratch);
            scratch = NULL;
            scratch_cap = 0;
        }
        if (timeout_ms > 0) Sleep((DWORD)timeout_ms);
        return 0;
    }
    if (n > scratch_cap) {
        size_t cap = n < 64 ? 64 : n * 2;
        WSAPOLLFD *p = hooks.alloc(cap * sizeof *p);
        if (!p) return PAL_ENOMEM;
        if (scratch) hooks.free(scratch);
        scratch = p;
        scratch_cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        scratch[i].fd = (SOCKET)fds[i].sock;
        scratch[i].events = (SHORT)(((fds[i].events & PAL_POLL_IN) ? POLLRDNORM : 0) |
                                    ((fds[i].events & PAL_POLL_OUT) ? POLLWRNORM : 0));
        scratch[i].revents = 0;
    }
    int r = WSAPoll(scratch, (ULONG)n, timeout_ms < 0 ? -1 : timeout_ms);
    if (r == SOCKET_ERROR) {
        int e = WSAGetLastError();
        return e == WSAEINTR ? 0 : fail_code(PAL_EIO, "WSAPoll", (DWORD)e);
    }
    for (size_t i = 0; i < n; i++) {
        SHORT re = scratch[i].revents;
        fds[i].revents = (uint16_t)(((re & (POLLRDNORM | POLLRDBAND)) ? PAL_POLL_IN : 0) |
                                    ((re & POLLWRNORM) ? PAL_POLL_OUT : 0) |
                                    ((re & (POLLERR | POLLNVAL)) ? PAL_POLL_ERR : 0) |
                                    ((re & POLLHUP) ? PAL_POLL_HUP : 0));
    }
    return r;
}

/* ---- wake-up: a connected loopback TCP pair (Windows has no pipes WSAPoll can watch) ---- */
struct pal_wakeup {
    SOCKET rd, wr;
};

static int same_endpoint(SOCKET local_of, SOCKET peer_of)
{
    struct sockaddr_in a, b;
    int al = (int)sizeof a, bl = (int)sizeof b;
    if (getsockname(local_of, (struct sockaddr *)&a, &al) != 0) return 0;
    if (getpeername(peer_of, (struct sockaddr *)&b, &bl) != 0) return 0;
    return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

int pal_wakeup_open(pal_wakeup_t **out)
{
    pal_wakeup_t *w = hooks.alloc(sizeof *w);
    if (!w) return PAL_ENOMEM;
    w->rd = w->wr = INVALID_SOCKET;
    SOCKET lst = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct sockaddr_in a;
    int al = (int)sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    BOOL one = TRUE;
    if (lst == INVALID_SOCKET) goto fail;
    setsockopt(lst, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&one, sizeof one);
    if (bind(lst, (struct sockaddr *)&a, al) != 0 || listen(lst, 1) != 0 ||
        getsockname(lst, (struct sockaddr *)&a, &al) != 0)
        goto fail;
    w->wr = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (w->wr == INVALID_SOCKET || connect(w->wr, (struct sockaddr *)&a, al) != 0) goto fail;
    for (int tries = 0; tries < 8; tries++) { /* someone else may have connected first */
        w->rd = accept(lst, NULL, NULL);
        if (w->rd == INVALID_SOCKET) goto fail;
        if (same_endpoint(w->wr, w->rd)) break;
        closesocket(w->rd);
        w->rd = INVALID_SOCKET;
    }
    if (w->rd == INVALID_SOCKET) {
        WSASetLastError(WSAECONNREFUSED);
        goto fail;
    }
    closesocket(lst);
    lst = INVALID_SOCKET;
    setsockopt(w->wr, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    if (set_nonblocking(w->rd) != 0 || set_nonblocking(w->wr) != 0) goto fail;
    *out = w;
    return PAL_OK;
fail:
    fail_wsa(PAL_EIO, "wake-up socket pair");
    if (lst != INVALID_SOCKET) closesocket(lst);
    if (w->rd != INVALID_SOCKET) closesocket(w->rd);
    if (w->wr != INVALID_SOCKET) closesocket(w->wr);
    hooks.free(w);
    return PAL_EIO;
}

void pal_wakeup_close(pal_wakeup_t *w)
{
    if (!w) return;
    closesocket(w->rd);
    closesocket(w->wr);
    hooks.free(w);
}

pal_sock_t pal_wakeup_sock(pal_wakeup_t *w) { return (pal_sock_t)w->rd; }

void pal_wakeup_signal(pal_wakeup_t *w)
{
    int saved = WSAGetLastError();
    char c = 1;
    send(w->wr, &c, 1, 0); /* a full buffer already means "wake up" */
    WSASetLastError(saved);
}

void pal_wakeup_drain(pal_wakeup_t *w)
{
    char buf[64];
    while (recv(w->rd, buf, sizeof buf, 0) > 0) {}
}

/* ---- Ctrl-C, Ctrl-Break, console close, logoff, shutdown ---- */
static pal_wakeup_t *volatile signal_wakeup;
static volatile LONG stop_flag;

static BOOL WINAPI on_console_ctrl(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        InterlockedExchange(&stop_flag, 1);
        if (signal_wakeup) pal_wakeup_signal(signal_wakeup);
        /* On close/logoff/shutdown Windows ends the process when this handler returns: give
         * the loop a few seconds to close its clients and free everything (it exits itself). */
        if (type == CTRL_CLOSE_EVENT || type == CTRL_LOGOFF_EVENT || type == CTRL_SHUTDOWN_EVENT) Sleep(4000);
        return TRUE;
    default:
        return FALSE;
    }
}

int pal_signals_install(pal_wakeup_t *w)
{
    signal_wakeup = w;
    InterlockedExchange(&stop_flag, 0);
    if (!SetConsoleCtrlHandler(on_console_ctrl, TRUE)) return fail(PAL_EIO, "SetConsoleCtrlHandler");
    return PAL_OK;
}

int pal_stop_requested(void) { return InterlockedCompareExchange(&stop_flag, 0, 0) != 0; }

/* ---- entropy ---- */
int pal_entropy(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len) {
        ULONG chunk = len > 0x10000000u ? 0x10000000u : (ULONG)len;
        NTSTATUS st = BCryptGenRandom(NULL, p, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
        if (st < 0) return fail_code(PAL_EIO, "BCryptGenRandom", (DWORD)st);
        p += chunk;
        len -= chunk;
    }
    return PAL_OK;
}

/* ---- files: UTF-8 paths in, UTF-16 to the system ---- */
#define WPATH_MAX 4096

static int to_wide(const char *s, wchar_t *out, int cap)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, out, cap);
    if (n <= 0) {
        fail(PAL_EIO, "path is not valid UTF-8 or too long");
        return -1;
    }
    return n - 1;
}

static int to_utf8(const wchar_t *s, char *out, int cap)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, out, cap, NULL, NULL);
    return n > 0 ? n - 1 : -1;
}

struct pal_file {
    HANDLE h;
};

int pal_file_open(const char *path, int flags, pal_file_t **out)
{
    wchar_t wp[WPATH_MAX];
    if (to_wide(path, wp, WPATH_MAX) < 0) return PAL_EIO;
    DWORD access = 0;
    if (flags & PAL_F_READ) access |= GENERIC_READ;
    if (flags & PAL_F_APPEND) access |= FILE_APPEND_DATA | SYNCHRONIZE;
    else if (flags & PAL_F_WRITE) access |= GENERIC_WRITE;
    if (!access) access = GENERIC_READ;
    DWORD disp;
    if (flags & PAL_F_CREATE) {
        if (flags & PAL_F_EXCL) disp = CREATE_NEW;
        else if (flags & PAL_F_TRUNC) disp = CREATE_ALWAYS;
        else disp = OPEN_ALWAYS;
    } else {
        disp = (flags & PAL_F_TRUNC) ? TRUNCATE_EXISTING : OPEN_EXISTING;
    }
    pal_file_t *f = hooks.alloc(sizeof *f);
    if (!f) return PAL_ENOMEM;
    /* shared like a POSIX descriptor: others may read, write, rename or delete it meanwhile */
    f->h = CreateFileW(wp, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, disp,
                       FILE_ATTRIBUTE_NORMAL, NULL);
    if (f->h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        hooks.free(f);
        return fail_code(is_enoent(e) ? PAL_ENOENT : PAL_EIO, path, e);
    }
    *out = f;
    return PAL_OK;
}

long pal_file_read(pal_file_t *f, void *buf, size_t len)
{
    DWORD got = 0;
    DWORD want = len > 0x40000000u ? 0x40000000u : (DWORD)len;
    if (!ReadFile(f->h, buf, want, &got, NULL)) {
        if (GetLastError() == ERROR_HANDLE_EOF || GetLastError() == ERROR_BROKEN_PIPE) return 0;
        return fail(PAL_EIO, "read");
    }
    return (long)got;
}

long pal_file_write(pal_file_t *f, const void *buf, size_t len)
{
    const char *p = buf;
    size_t left = len;
    while (left) {
        DWORD put = 0;
        DWORD want = left > 0x40000000u ? 0x40000000u : (DWORD)left;
        if (!WriteFile(f->h, p, want, &put, NULL)) return fail(PAL_EIO, "write");
        if (put == 0) return fail_code(PAL_EIO, "write", ERROR_WRITE_FAULT);
        p += put;
        left -= put;
    }
    return (long)len;
}

int pal_file_sync(pal_file_t *f) { return FlushFileBuffers(f->h) ? PAL_OK : fail(PAL_EIO, "FlushFileBuffers"); }

void pal_file_close(pal_file_t *f)
{
    if (!f) return;
    CloseHandle(f->h);
    hooks.free(f);
}

int pal_file_size(const char *path, uint64_t *size)
{
    wchar_t wp[WPATH_MAX];
    if (to_wide(path, wp, WPATH_MAX) < 0) return PAL_EIO;
    WIN32_FILE_ATTRIBUTE_DATA a;
    if (!GetFileAttributesExW(wp, GetFileExInfoStandard, &a)) {
        DWORD e = GetLastError();
        return fail_code(is_enoent(e) ? PAL_ENOENT : PAL_EIO, path, e);
    }
    *size = ((uint64_t)a.nFileSizeHigh << 32) | a.nFileSizeLow;
    return PAL_OK;
}

int pal_file_stat(pal_file_t *f, pal_file_stat_t *out)
{
    BY_HANDLE_FILE_INFORMATION i;
    if (!GetFileInformationByHandle(f->h, &i)) return fail(PAL_EIO, "GetFileInformationByHandle");
    out->size = ((uint64_t)i.nFileSizeHigh << 32) | i.nFileSizeLow;
    uint64_t ft = ((uint64_t)i.ftLastWriteTime.dwHighDateTime << 32) | i.ftLastWriteTime.dwLowDateTime;
    out->mtime_ms = (int64_t)(ft / 10000) - 11644473600000LL; /* 100 ns since 1601 -> Unix ms */
    out->is_dir = (i.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    return PAL_OK;
}

/* The final path of the opened file or folder: links and junctions followed, as realpath does. */
int pal_path_resolve(const char *path, char *out, size_t len)
{
    wchar_t wp[WPATH_MAX], fin[WPATH_MAX];
    if (to_wide(path, wp, WPATH_MAX) < 0) return PAL_EIO;
    HANDLE h = CreateFileW(wp, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                           FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        return fail_code(is_enoent(e) ? PAL_ENOENT : PAL_EIO, path, e);
    }
    DWORD n = GetFinalPathNameByHandleW(h, fin, WPATH_MAX, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    CloseHandle(h);
    if (n == 0 || n >= WPATH_MAX) return fail(PAL_EIO, "GetFinalPathNameByHandle");
    const wchar_t *p = fin;
    if (wcsncmp(p, L"\\\\?\\UNC\\", 8) == 0) { /* \\?\UNC\server\share -> \\server\share */
        p += 6;
        fin[6] = L'\\';
    } else if (wcsncmp(p, L"\\\\?\\", 4) == 0) {
        p += 4;
    }
    int k = to_utf8(p, out, (int)(len > 0x7fffffff ? 0x7fffffff : len));
    return k < 0 ? fail(PAL_EIO, "resolved path too long") : PAL_OK;
}

int pal_file_rename(const char *from, const char *to)
{
    wchar_t wf[WPATH_MAX], wt[WPATH_MAX];
    if (to_wide(from, wf, WPATH_MAX) < 0 || to_wide(to, wt, WPATH_MAX) < 0) return PAL_EIO;
    if (MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) return PAL_OK;
    return fail(PAL_EIO, "rename");
}

int pal_file_remove(const char *path)
{
    wchar_t wp[WPATH_MAX];
    if (to_wide(path, wp, WPATH_MAX) < 0) return PAL_EIO;
    if (DeleteFileW(wp)) return PAL_OK;
    DWORD e = GetLastError();
    return fail_code(is_enoent(e) ? PAL_ENOENT : PAL_EIO, path, e);
}

static int is_sep(wchar_t c) { return c == L'/' || c == L'\\'; }

int pal_dir_make(const char *path)
{
    wchar_t wp[WPATH_MAX];
    int n = to_wide(path, wp, WPATH_MAX);
    if (n <= 0) {
        if (n == 0) snprintf(last_error, sizeof last_error, "empty path");
        return PAL_EIO;
    }
    /* skip what cannot be created: a drive ("C:"), a UNC "\\server\share", leading separators */
    int i = 0;
    if (n >= 2 && wp[1] == L':') i = 2;
    else if (n >= 2 && is_sep(wp[0]) && is_sep(wp[1])) {
        int parts = 0;
        for (i = 2; i < n && parts < 2; i++)
            if (is_sep(wp[i])) parts++;
    }
    while (i < n && is_sep(wp[i])) i++;
    for (; i <= n; i++) {
        if (i < n && !is_sep(wp[i])) continue;
        if (i > 0 && is_sep(wp[i - 1])) continue; /* "a//b" */
        wchar_t c = wp[i];
        wp[i] = 0;
        if (!CreateDirectoryW(wp, NULL)) {
            DWORD e = GetLastError();
            if (e != ERROR_ALREADY_EXISTS) {
                DWORD attr = GetFileAttributesW(wp);
                if (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_DIRECTORY)) {
                    char what[64];
                    snprintf(what, sizeof what, "mkdir %.50s", path);
                    return fail_code(PAL_EIO, what, e);
                }
            }
        }
        wp[i] = c;
    }
    return PAL_OK;
}

int pal_dir_list(const char *path, int (*fn)(const char *name, int is_dir, void *ud), void *ud)
{
    wchar_t wp[WPATH_MAX];
    int n = to_wide(path, wp, WPATH_MAX - 3);
    if (n < 0) return PAL_EIO;
    if (n > 0 && !is_sep(wp[n - 1])) wp[n++] = L'\\';
    wp[n++] = L'*';
    wp[n] = 0;
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileExW(wp, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND) { /* an existing folder with nothing in it (a root) */
            wp[n - 1] = 0;
            DWORD attr = GetFileAttributesW(wp);
            if (attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY)) return PAL_OK;
        }
        return fail_code(is_enoent(e) ? PAL_ENOENT : PAL_EIO, path, e);
    }
    do {
        if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L"..")) continue;
        char name[MAX_PATH * 3 + 1];
        if (to_utf8(fd.cFileName, name, (int)sizeof name) < 0) continue;
        if (fn(name, (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0, ud)) break;
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return PAL_OK;
}

int pal_default_data_dir(char *buf, size_t len)
{
    wchar_t w[WPATH_MAX];
    DWORD n = GetEnvironmentVariableW(L"LOCALAPPDATA", w, WPATH_MAX);
    const wchar_t *tail = L"\\pipit";
    if (n == 0 || n >= WPATH_MAX) {
        n = GetEnvironmentVariableW(L"USERPROFILE", w, WPATH_MAX);
        tail = L"\\AppData\\Local\\pipit";
        if (n == 0 || n >= WPATH_MAX) {
            snprintf(last_error, sizeof last_error, "neither LOCALAPPDATA nor USERPROFILE is set");
            return PAL_EIO;
        }
    }
    if (n + wcslen(tail) + 1 > WPATH_MAX) return PAL_EIO;
    wcscat(w, tail);
    if (len > INT_MAX) len = INT_MAX;
    return to_utf8(w, buf, (int)len) >= 0 ? PAL_OK : PAL_EIO;
}

const char *pal_env(const char *name) { return getenv(name); }

/* ---- worker thread ---- */
struct pal_worker {
    HANDLE thread;
    SRWLOCK mu;
    CONDITION_VARIABLE cv;
    pal_job_t *queue_head, *queue_tail;
    pal_job_t *done_head, *done_tail;
    int stopping;
    pal_wakeup_t *wakeup;
};

static unsigned __stdcall worker_main(void *arg)
{
    pal_worker_t *w = arg;
    AcquireSRWLockExclusive(&w->mu);
    for (;;) {
        while (!w->queue_head && !w->stopping) SleepConditionVariableSRW(&w->cv, &w->mu, INFINITE, 0);
        pal_job_t *job = w->queue_head;
        if (!job) break; /* stopping and nothing left */
        w->queue_head = job->next;
        if (!w->queue_head) w->queue_tail = NULL;
        ReleaseSRWLockExclusive(&w->mu);
        job->run(job);
        AcquireSRWLockExclusive(&w->mu);
        job->next = NULL;
        if (w->done_tail) w->done_tail->next = job;
        else w->done_head = job;
        w->done_tail = job;
        pal_wakeup_signal(w->wakeup);
    }
    ReleaseSRWLockExclusive(&w->mu);
    return 0;
}

int pal_worker_start(pal_wakeup_t *done_wakeup, pal_worker_t **out)
{
    pal_worker_t *w = hooks.alloc(sizeof *w);
    if (!w) return PAL_ENOMEM;
    memset(w, 0, sizeof *w);
    w->wakeup = done_wakeup;
    InitializeSRWLock(&w->mu);
    InitializeConditionVariable(&w->cv);
    /* _beginthreadex, not CreateThread: the worker uses the C runtime (SQLite, snprintf) */
    uintptr_t th = _beginthreadex(NULL, 0, worker_main, w, 0, NULL);
    if (!th) {
        hooks.free(w);
        return fail(PAL_EIO, "_beginthreadex");
    }
    w->thread = (HANDLE)th;
    *out = w;
    return PAL_OK;
}

void pal_worker_submit(pal_worker_t *w, pal_job_t *job)
{
    job->next = NULL;
    AcquireSRWLockExclusive(&w->mu);
    if (w->queue_tail) w->queue_tail->next = job;
    else w->queue_head = job;
    w->queue_tail = job;
    WakeConditionVariable(&w->cv);
    ReleaseSRWLockExclusive(&w->mu);
}

pal_job_t *pal_worker_reap(pal_worker_t *w)
{
    AcquireSRWLockExclusive(&w->mu);
    pal_job_t *list = w->done_head;
    w->done_head = w->done_tail = NULL;
    ReleaseSRWLockExclusive(&w->mu);
    return list;
}

void pal_worker_stop(pal_worker_t *w)
{
    if (!w) return;
    AcquireSRWLockExclusive(&w->mu);
    w->stopping = 1;
    WakeConditionVariable(&w->cv);
    ReleaseSRWLockExclusive(&w->mu);
    WaitForSingleObject(w->thread, INFINITE);
    CloseHandle(w->thread);
    hooks.free(w);
}
