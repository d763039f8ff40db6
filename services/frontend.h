/* frontend — serves a built web app (rotki's frontend) on the API's port (--frontend-dir).
 *
 * GET and HEAD for a path outside /api, /ws and /colibri are answered from a file source: the
 * file itself (content type by extension, ETag, If-None-Match → 304, <file>.gz with
 * Content-Encoding: gzip when the client takes gzip), else — for a page load (Accept names
 * text/html) — index.html, so the app's router sees its own URLs; anything else is a 404.
 * A path that could leave the source (a backslash, a control character, ':', a '.' or '..'
 * segment, a dotfile) is a 404 before any file is looked at, and the folder source resolves
 * links and refuses whatever lands outside its folder.
 *
 * Files are opened and read on the worker thread — without threads on the loop, one chunk per
 * turn — and sent a chunk at a time, so a large file never sits in memory whole.
 */
#ifndef PIPIT_FRONTEND_H
#define PIPIT_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/loop.h"

/* ---- where the files come from ----
 * A source answers paths relative to its root ("index.html", "assets/app-1f2e.js"), already
 * checked to hold no '.'/'..' segment, backslash or ':'. open/read/close run on the worker
 * thread (or on the loop without one); one source serves many requests at once. A second
 * source, files embedded in the binary, is another implementation of these three functions. */
typedef struct {
    uint64_t size;
    uint64_t version; /* changes whenever the content does (a modification time, a hash): the ETag's */
} frontend_info_t;

typedef struct frontend_source frontend_source_t;
struct frontend_source {
    const char *name; /* for the log */
    /* PAL_OK with *file open, PAL_ENOENT (absent, a folder, outside the source) or a PAL_E* status */
    int (*open)(const frontend_source_t *src, const char *rel, void **file, frontend_info_t *info);
    long (*read)(void *file, void *buf, size_t len); /* bytes, 0 at the end, <0 on error */
    void (*close)(void *file);
    void (*destroy)(frontend_source_t *src);
};

/* The folder source: NULL (reason logged) when dir is not an existing folder. */
frontend_source_t *frontend_dir_source(const char *dir);

/* The built-in page (web/, embedded at build time): see frontend_web.h. */
frontend_source_t *frontend_web_source(void);

/* Starts serving cfg->frontend_dir, or without one the built-in page. -1: a bad folder. */
int frontend_init(const config_t *cfg, loop_t *loop);
/* After the loop (and its worker) stopped: frees what is left. */
void frontend_shutdown(void);

/* ---- the server's glue (services/server.c) ----
 * claims: 1 when the request is the frontend's (a source is set, GET/HEAD, a non-API path).
 * http answers it on connection wsi, keeping its state in *slot (the connection's); the
 * server then hands the connection's writeable and closed callbacks over while *slot is set.
 * http and writeable return what the lws callback returns (nonzero closes the connection). */
struct lws;
int frontend_claims(unsigned method, const char *path);
int frontend_http(struct lws *wsi, void **slot, unsigned method, const char *path);
int frontend_writeable(struct lws *wsi, void **slot);
void frontend_closed(void **slot);

/* For tests: the content type served for a file name, by its extension. */
const char *frontend_content_type(const char *name);

#endif
