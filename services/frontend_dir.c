/* frontend_dir — the frontend's folder source (--frontend-dir): files under one folder, with
 * every link resolved and the result required to stay inside the folder. */
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "../platform/pal.h"
#include "frontend.h"

#define DIR_PATH_MAX 1024

typedef struct {
    frontend_source_t src; /* first: the source pointer is this */
    size_t root_len;
    char root[DIR_PATH_MAX]; /* resolved, no trailing separator (unless the root of the system) */
} dir_source_t;

static int is_sep(char c) { return c == '/' || c == '\\'; }

/* Inside: root itself or root followed by a separator; a root that ends in one (/ or C:\)
 * holds everything below it. */
static int inside_root(const dir_source_t *d, const char *real)
{
    if (strncmp(real, d->root, d->root_len) != 0) return 0;
    return is_sep(real[d->root_len]) || (d->root_len && is_sep(d->root[d->root_len - 1]));
}

static int dir_open(const frontend_source_t *src, const char *rel, void **file, frontend_info_t *info)
{
    const dir_source_t *d = (const dir_source_t *)src;
    char joined[DIR_PATH_MAX + 260], real[DIR_PATH_MAX];
    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", d->root, rel) >= sizeof joined) return PAL_ENOENT;
    int st = pal_path_resolve(joined, real, sizeof real);
    if (st != PAL_OK) return st == PAL_EIO ? PAL_ENOENT : st;
    if (!inside_root(d, real)) return PAL_ENOENT; /* a link out of the folder */
    pal_file_t *f;
    /* unreadable, or a folder that will not open as a file (Windows): not there for a client */
    if ((st = pal_file_open(real, PAL_F_READ, &f)) != PAL_OK) return st == PAL_ENOMEM ? st : PAL_ENOENT;
    pal_file_stat_t fs;
    if (pal_file_stat(f, &fs) != PAL_OK || fs.is_dir) {
        pal_file_close(f);
        return PAL_ENOENT;
    }
    info->size = fs.size;
    info->version = (uint64_t)fs.mtime_ms;
    *file = f;
    return PAL_OK;
}

static long dir_read(void *file, void *buf, size_t len) { return pal_file_read(file, buf, len); }
static void dir_close(void *file) { pal_file_close(file); }
static void dir_destroy(frontend_source_t *src) { alloc_free(src); }

static int stop_at_first(const char *name, int is_dir, void *ud)
{
    (void)name;
    (void)is_dir;
    (void)ud;
    return 1;
}

frontend_source_t *frontend_dir_source(const char *dir)
{
    dir_source_t *d = alloc_zget(ALLOC_HTTP, sizeof *d);
    if (!d) {
        log_error("frontend-dir %s: out of memory", dir);
        return NULL;
    }
    if (pal_path_resolve(dir, d->root, sizeof d->root) != PAL_OK) {
        log_error("frontend-dir %s: %s", dir, pal_last_error());
        alloc_free(d);
        return NULL;
    }
    if (pal_dir_list(d->root, stop_at_first, NULL) != PAL_OK) { /* a file, or unreadable */
        log_error("frontend-dir %s: not a readable folder (%s)", dir, pal_last_error());
        alloc_free(d);
        return NULL;
    }
    d->root_len = strlen(d->root);
    while (d->root_len > 1 && is_sep(d->root[d->root_len - 1]) && d->root[d->root_len - 2] != ':') d->root[--d->root_len] = 0;
    d->src.name = d->root;
    d->src.open = dir_open;
    d->src.read = dir_read;
    d->src.close = dir_close;
    d->src.destroy = dir_destroy;
    return &d->src;
}
