/* frontend_web — pipit's own page (web/), built into the binary: the frontend's second file
 * source, served when no --frontend-dir is given. The table is generated at build time by
 * services/frontend_web_gen.py into build/<target>/gen/web_files.c (sorted by name; each text
 * file also as "<name>.gz"). */
#ifndef PIPIT_FRONTEND_WEB_H
#define PIPIT_FRONTEND_WEB_H

#include <stdint.h>

typedef struct {
    const char *rel;            /* "index.html", "js/app.js", "js/app.js.gz" */
    const unsigned char *data;
    uint32_t size;
    uint64_t version;           /* the first 8 bytes of the content's SHA-256 */
} frontend_web_file_t;

extern const frontend_web_file_t frontend_web_files[];
extern const unsigned frontend_web_nfiles;
/* the page's weight: every file as is, and as sent to a client taking gzip */
extern const unsigned frontend_web_bytes, frontend_web_gz_bytes;

#endif
