/* frontend_web — the built-in page as a frontend source (see frontend_web.h): files are looked
 * up by name in the generated table and read from it; nothing is copied but the chunk asked for. */
#include <string.h>

#include "../core/alloc.h"
#include "../platform/pal.h"
#include "frontend.h"
#include "frontend_web.h"

typedef struct {
    const frontend_web_file_t *f;
    uint32_t pos;
} web_cursor_t;

static const frontend_web_file_t *find(const char *rel)
{
    unsigned lo = 0, hi = frontend_web_nfiles;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        int c = strcmp(rel, frontend_web_files[mid].rel);
        if (!c) return &frontend_web_files[mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

static int web_open(const frontend_source_t *src, const char *rel, void **file, frontend_info_t *info)
{
    (void)src;
    const frontend_web_file_t *f = find(rel);
    if (!f) return PAL_ENOENT;
    web_cursor_t *c = alloc_get(ALLOC_HTTP, sizeof *c);
    if (!c) return PAL_ENOMEM;
    c->f = f;
    c->pos = 0;
    info->size = f->size;
    info->version = f->version;
    *file = c;
    return PAL_OK;
}

static long web_read(void *file, void *buf, size_t len)
{
    web_cursor_t *c = file;
    size_t left = c->f->size - c->pos;
    if (len > left) len = left;
    memcpy(buf, c->f->data + c->pos, len);
    c->pos += (uint32_t)len;
    return (long)len;
}

static void web_close(void *file) { alloc_free(file); }
static void web_destroy(frontend_source_t *src) { (void)src; }

frontend_source_t *frontend_web_source(void)
{
    static frontend_source_t src = {"the built-in page", web_open, web_read, web_close, web_destroy};
    return &src;
}
