/* frontend — see frontend.h. One request's life: the path is checked on the loop; a job opens
 * the file (or its .gz, or index.html) and reads the first chunk; each writeable callback sends
 * what was read (the headers with the first chunk) and starts the next read, until the file's
 * size has gone out. */
#include "frontend.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "api.h"
#include "frontend_web.h"

#define CHUNK 16384
#define HDR_ROOM 1024
#define LONG_CACHE "public, max-age=31536000, immutable"

typedef struct fe_req fe_req_t;
struct fe_req {
    loop_job_t job;   /* first: the worker hands back this pointer */
    struct lws *wsi;  /* NULL once the connection closed */
    void **slot;      /* the connection's pointer to this request (valid while wsi is) */
    fe_req_t *prev, *next;
    uint8_t head, accept_gzip, accept_html, busy, headers_sent;
    char rel[256];    /* the path without its leading '/', "index.html" for a folder */
    char inm[256];    /* If-None-Match, "" when absent */
    /* set by the open job */
    int status;       /* 200, 304, 404, 500 */
    uint8_t gz, is_index;
    frontend_info_t info;
    void *file;
    char etag[48];
    long got;         /* bytes in body from the last read, <0 on error */
    uint64_t sent;
    unsigned char buf[LWS_PRE + HDR_ROOM + CHUNK]; /* room for lws and the headers, then the body */
};
#define BODY(q) ((q)->buf + LWS_PRE + HDR_ROOM)

static struct {
    loop_t *loop;
    frontend_source_t *src;
    fe_req_t *live; /* every request, for shutdown */
} fe;

/* ------------------------------------------------------------------ content types */
static const struct {
    const char *ext, *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},   {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"}, {"mjs", "text/javascript; charset=utf-8"},
    {"cjs", "text/javascript; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},           {"map", "application/json"},
    {"webmanifest", "application/manifest+json"}, {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},             {"svg", "image/svg+xml"},
    {"png", "image/png"},                   {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},                 {"gif", "image/gif"},
    {"webp", "image/webp"},                 {"avif", "image/avif"},
    {"ico", "image/x-icon"},                {"woff", "font/woff"},
    {"woff2", "font/woff2"},                {"ttf", "font/ttf"},
    {"otf", "font/otf"},                    {"eot", "application/vnd.ms-fontobject"},
    {"wasm", "application/wasm"},           {"pdf", "application/pdf"},
    {"mp4", "video/mp4"},                   {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},                  {"wav", "audio/wav"},
    {"csv", "text/csv; charset=utf-8"},     {"gz", "application/gzip"},
    {"zip", "application/zip"},
};

static int ieq(const char *a, const char *b) /* NUL-terminated, ASCII case folded */
{
    for (; *a && *b; a++, b++)
        if ((*a | 0x20) != (*b | 0x20)) return 0;
    return *a == *b;
}

const char *frontend_content_type(const char *name)
{
    const char *slash = strrchr(name, '/'), *dot = strrchr(name, '.');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (ieq(dot + 1, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}

/* A bundler's content-hashed name ("index-4f2a9c1e.js", "app.3f2a9c1e.css"): the name's last
 * '-' or '.' part before the extension is 8–32 letters, digits or '_' with a digit among them.
 * Such a file never changes under its name, so it may be cached for a year. */
static int is_hashed_name(const char *rel)
{
    const char *name = strrchr(rel, '/');
    name = name ? name + 1 : rel;
    const char *ext = strrchr(name, '.');
    if (!ext || ext == name) return 0;
    const char *p = ext;
    int digit = 0;
    while (p > name && p[-1] != '-' && p[-1] != '.') {
        char c = p[-1];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return 0;
        digit |= c >= '0' && c <= '9';
        p--;
    }
    size_t n = (size_t)(ext - p);
    return p > name && digit && n >= 8 && n <= 32;
}

/* ------------------------------------------------------------------ request headers */
/* The header's value, "" when absent or longer than the buffer (then not trusted). */
static void copy_header(struct lws *wsi, enum lws_token_indexes tok, char *buf, size_t len)
{
    if (lws_hdr_copy(wsi, buf, (int)len, tok) < 0) buf[0] = 0;
}

static int nieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return 0;
    return 1;
}

/* 1 when the list (Accept or Accept-Encoding) names want — or, with star_ok, "*" — with a q
 * other than 0. */
static int header_accepts(const char *list, const char *want, int star_ok)
{
    size_t wl = strlen(want);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ';' && *e != ' ') e++;
        size_t n = (size_t)(e - p);
        const char *end = strchr(e, ',');
        if (!end) end = e + strlen(e);
        if ((n == wl && nieq(p, want, wl)) || (star_ok && n == 1 && *p == '*')) {
            for (const char *q = e; q + 1 < end; q++) /* q=0, q=0.0…: refused */
                if ((q[0] | 0x20) == 'q' && q[1] == '=') {
                    const char *v = q + 2;
                    if (*v++ != '0') break;
                    while (v < end && (*v == '.' || *v == '0')) v++;
                    if (v >= end || *v == ' ' || *v == ';') return 0;
                    break;
                }
            return 1;
        }
        p = end;
    }
    return 0;
}

/* If-None-Match names etag (weak comparison, as RFC 9110 wants for it) or is "*". */
static int etag_matches(const char *inm, const char *etag)
{
    size_t el = strlen(etag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (*p == '*') return 1;
        if (p[0] == 'W' && p[1] == '/') p += 2;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') e++;
        if ((size_t)(e - p) == el && memcmp(p, etag, el) == 0) return 1;
        p = e;
    }
    return 0;
}

/* A path the source may be asked for: '/'-separated segments of printable characters, none
 * of them empty-but-last, "." or "..", starting with '.', or holding '\' or ':'. lws has already
 * decoded %xx and folded "/../"; these checks do not rely on that. */
static int rel_from_path(const char *path, char *rel, size_t len)
{
    if (path[0] != '/') return -1;
    const char *p = path + 1;
    size_t n = strlen(p);
    if (n + sizeof "index.html" > len) return -1;
    for (const char *s = p; *s;) {
        const char *e = strchr(s, '/');
        if (!e) e = s + strlen(s);
        if (e == s && *e) return -1; /* "//" */
        if (*s == '.') return -1;    /* ".", "..", dotfiles */
        for (const char *c = s; c < e; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\' || *c == ':') return -1;
        s = *e ? e + 1 : e;
    }
    memcpy(rel, p, n + 1);
    if (n == 0 || p[n - 1] == '/') memcpy(rel + n, "index.html", sizeof "index.html");
    return 0;
}

/* ------------------------------------------------------------------ the worker side */
static int try_open(fe_req_t *q, const char *rel)
{
    char gz[sizeof q->rel + 3];
    if (q->accept_gzip && (size_t)snprintf(gz, sizeof gz, "%s.gz", rel) < sizeof gz &&
        fe.src->open(fe.src, gz, &q->file, &q->info) == PAL_OK) {
        q->gz = 1;
        return PAL_OK;
    }
    return fe.src->open(fe.src, rel, &q->file, &q->info);
}

static void read_chunk(fe_req_t *q)
{
    uint64_t left = q->info.size - q->sent;
    q->got = left ? fe.src->read(q->file, BODY(q), left < CHUNK ? (size_t)left : CHUNK) : 0;
}

/* Opens on the first run (then reads the first chunk), reads the next chunk on the others. */
static void fe_job_run(pal_job_t *pj)
{
    fe_req_t *q = (fe_req_t *)pj;
    if (q->file) {
        read_chunk(q);
        return;
    }
    int st = try_open(q, q->rel);
    if (st == PAL_ENOENT && q->accept_html && (st = try_open(q, "index.html")) == PAL_OK) q->is_index = 1;
    if (st != PAL_OK) {
        q->status = st == PAL_ENOENT ? 404 : 500;
        return;
    }
    if (!strcmp(q->rel, "index.html")) q->is_index = 1;
    snprintf(q->etag, sizeof q->etag, "\"%llx-%llx%s\"", (unsigned long long)q->info.size,
             (unsigned long long)q->info.version, q->gz ? "-gz" : "");
    q->status = q->inm[0] && etag_matches(q->inm, q->etag) ? 304 : 200;
    if (q->status == 200 && !q->head) read_chunk(q);
}

/* ------------------------------------------------------------------ the loop side */
static void fe_free(fe_req_t *q)
{
    if (q->file) fe.src->close(q->file);
    if (q->prev) q->prev->next = q->next;
    else fe.live = q->next;
    if (q->next) q->next->prev = q->prev;
    alloc_free(q);
}

static void fe_job_done(loop_job_t *j)
{
    fe_req_t *q = (fe_req_t *)j;
    q->busy = 0;
    if (!q->wsi) fe_free(q);
    else lws_callback_on_writable(q->wsi);
}

/* The next job: on the worker, or — without one — right here, one chunk per writeable turn. */
static void fe_submit(fe_req_t *q)
{
    q->busy = 1;
    if (loop_job_submit(fe.loop, &q->job, fe_job_run, fe_job_done) != PAL_OK) {
        fe_job_run(&q->job.pj);
        fe_job_done(&q->job);
    }
}

/* The transaction is over: the connection may carry the next request. */
static int fe_finish(struct lws *wsi, fe_req_t *q)
{
    *q->slot = NULL;
    fe_free(q);
    lws_rx_flow_control(wsi, 1); /* the server held reads back during the transfer */
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int add_hdr(struct lws *wsi, const char *name, const char *value, unsigned char **p, unsigned char *end)
{
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value,
                                       (int)strlen(value), p, end);
}

/* Status line and headers into start..; the length written, or -1. */
static int build_headers(struct lws *wsi, fe_req_t *q, unsigned char *start, unsigned char *end, size_t body_len)
{
    unsigned char *p = start;
    char num[24];
    if (lws_add_http_header_status(wsi, (unsigned)q->status, &p, end)) return -1;
    if (q->status == 200 || q->status == 304) {
        const char *cache = q->is_index || !is_hashed_name(q->rel) ? "no-cache" : LONG_CACHE;
        if (add_hdr(wsi, "etag:", q->etag, &p, end) || add_hdr(wsi, "cache-control:", cache, &p, end) ||
            add_hdr(wsi, "vary:", "Accept-Encoding", &p, end))
            return -1;
    }
    if (q->status != 304) {
        const char *ctype = q->status != 200 ? "text/plain; charset=utf-8"
                            : q->is_index    ? frontend_content_type("index.html")
                                             : frontend_content_type(q->rel);
        snprintf(num, sizeof num, "%llu", (unsigned long long)body_len);
        if (add_hdr(wsi, "content-type:", ctype, &p, end) || add_hdr(wsi, "content-length:", num, &p, end) ||
            (q->gz && add_hdr(wsi, "content-encoding:", "gzip", &p, end)) ||
            add_hdr(wsi, "x-content-type-options:", "nosniff", &p, end))
            return -1;
    }
    if (lws_finalize_http_header(wsi, &p, end)) return -1;
    return (int)(p - start);
}

/* The first write: headers, with the first chunk of the body (or the short error text). */
static int send_headers(struct lws *wsi, fe_req_t *q)
{
    static const char not_found[] = "not found\n", failed[] = "cannot read the file\n";
    unsigned char hdr[HDR_ROOM];
    size_t body = 0;
    uint64_t length = 0;
    if (q->status == 200) {
        if (!q->head && q->got <= 0 && q->info.size) return -1; /* the file could not be read */
        length = q->info.size;
        body = q->head ? 0 : (size_t)q->got;
    } else if (q->status != 304) {
        const char *text = q->status == 404 ? not_found : failed;
        body = strlen(text);
        memcpy(BODY(q), text, body);
        length = body;
        if (q->head) body = 0;
    }
    int hl = build_headers(wsi, q, hdr, hdr + sizeof hdr, length);
    if (hl < 0) return -1;
    memcpy(BODY(q) - hl, hdr, (size_t)hl);
    q->headers_sent = 1;
    if (lws_write(wsi, BODY(q) - hl, (size_t)hl + body, LWS_WRITE_HTTP_HEADERS) < 0) return -1;
    if (q->status != 200 || q->head) return fe_finish(wsi, q);
    q->sent = body;
    if (q->sent == q->info.size) return fe_finish(wsi, q);
    fe_submit(q);
    return 0;
}

static int send_chunk(struct lws *wsi, fe_req_t *q)
{
    if (q->got <= 0) { /* read error, or the file shrank under us: the promised length cannot be kept */
        log_warn("frontend: %s: read failed after %llu of %llu bytes", q->rel, (unsigned long long)q->sent,
                 (unsigned long long)q->info.size);
        return -1;
    }
    q->sent += (uint64_t)q->got;
    int last = q->sent >= q->info.size;
    if (lws_write(wsi, BODY(q), (size_t)q->got, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < 0) return -1;
    if (last) return fe_finish(wsi, q);
    fe_submit(q);
    return 0;
}

int frontend_writeable(struct lws *wsi, void **slot)
{
    fe_req_t *q = *slot;
    if (!q || q->busy) return 0; /* a read is under way: its end asks for the next callback */
    return q->headers_sent ? send_chunk(wsi, q) : send_headers(wsi, q);
}

void frontend_closed(void **slot)
{
    fe_req_t *q = *slot;
    *slot = NULL;
    if (!q) return;
    q->wsi = NULL;
    if (!q->busy) fe_free(q); /* else the job's end frees it */
}

static int has_prefix_segment(const char *path, const char *seg)
{
    size_t n = strlen(seg);
    return !strncmp(path, seg, n) && (path[n] == 0 || path[n] == '/');
}

int frontend_claims(unsigned method, const char *path)
{
    if (!fe.src || (method != API_GET && method != API_HEAD)) return 0;
    return !has_prefix_segment(path, "/api") && !has_prefix_segment(path, "/ws") && !has_prefix_segment(path, "/colibri");
}

int frontend_http(struct lws *wsi, void **slot, unsigned method, const char *path)
{
    fe_req_t *q = alloc_get(ALLOC_HTTP, sizeof *q);
    if (!q) { /* nothing to keep the state in: say so and keep serving */
        static const char busy[] = "the node is out of memory for this request; try again shortly\n";
        unsigned char buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf;
        if (lws_add_http_common_headers(wsi, 503, "text/plain; charset=utf-8", sizeof busy - 1, &p, end) ||
            lws_finalize_write_http_header(wsi, start, &p, end) ||
            lws_write(wsi, (unsigned char *)busy, sizeof busy - 1, LWS_WRITE_HTTP_FINAL) < 0)
            return -1;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    memset(q, 0, offsetof(fe_req_t, buf));
    q->wsi = wsi;
    q->slot = slot;
    q->head = method == API_HEAD;
    q->next = fe.live;
    if (fe.live) fe.live->prev = q;
    fe.live = q;
    *slot = q;

    char hv[1024];
    copy_header(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING, hv, sizeof hv);
    q->accept_gzip = (uint8_t)header_accepts(hv, "gzip", 1);
    copy_header(wsi, WSI_TOKEN_HTTP_ACCEPT, hv, sizeof hv);
    q->accept_html = (uint8_t)header_accepts(hv, "text/html", 0);
    copy_header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH, q->inm, sizeof q->inm);

    if (rel_from_path(path, q->rel, sizeof q->rel) != 0) { /* never reaches the source */
        q->status = 404;
        lws_callback_on_writable(wsi);
        return 0;
    }
    fe_submit(q);
    return 0;
}

/* ------------------------------------------------------------------ start and stop */
int frontend_init(const config_t *cfg, loop_t *loop)
{
    fe.loop = loop;
    fe.live = NULL;
    fe.src = NULL;
    if (!cfg->frontend_dir[0]) {
        fe.src = frontend_web_source();
        log_info("frontend: serving the built-in page (%u bytes, %u gzipped)", frontend_web_bytes,
                 frontend_web_gz_bytes);
        return 0;
    }
    if (!(fe.src = frontend_dir_source(cfg->frontend_dir))) return -1;
    void *f;
    frontend_info_t info;
    if (fe.src->open(fe.src, "index.html", &f, &info) == PAL_OK) fe.src->close(f);
    else log_warn("frontend-dir %s has no index.html: only its files are served, no page falls back to it",
                  fe.src->name);
    log_info("frontend: serving the files of %s", fe.src->name);
    return 0;
}

void frontend_shutdown(void)
{
    while (fe.live) fe_free(fe.live);
    if (fe.src) fe.src->destroy(fe.src);
    fe.src = NULL;
}
