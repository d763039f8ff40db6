/* frontend: the folder source (and the PAL calls under it: pal_path_resolve, pal_file_stat) and
 * the content types. Links out of the folder are covered by tests/integration/test_frontend.py. */
#include <stdio.h>
#include <string.h>

#include "../../platform/pal.h"
#include "../../services/frontend.h"
#include "../../services/frontend_web.h"
#include "unit.h"

#define ROOT "/tmp/pipit-unit-frontend"

static int put(const char *rel, const char *text)
{
    char path[256];
    pal_file_t *f;
    snprintf(path, sizeof path, "%s/%s", ROOT, rel);
    if (pal_file_open(path, PAL_F_WRITE | PAL_F_CREATE | PAL_F_TRUNC, &f) != PAL_OK) return -1;
    long n = pal_file_write(f, text, strlen(text));
    pal_file_close(f);
    return n == (long)strlen(text) ? 0 : -1;
}

UNIT_TEST(folder_source_opens_files_inside_only)
{
    CHECK(pal_dir_make(ROOT "/assets/deep") == PAL_OK);
    CHECK(put("index.html", "<!doctype html>") == 0);
    CHECK(put("assets/deep/a.js", "export {};\n") == 0);
    CHECK(put("../pipit-unit-frontend-secret.txt", "secret") == 0);

    char real[1024];
    CHECK(pal_path_resolve(ROOT "/assets/deep/../../index.html", real, sizeof real) == PAL_OK);
    CHECK(strstr(real, "pipit-unit-frontend") && strstr(real, "index.html") && !strstr(real, ".."));
    CHECK(pal_path_resolve(ROOT "/nothing-here", real, sizeof real) == PAL_ENOENT);
    CHECK(pal_path_resolve(ROOT "/index.html", real, 8) == PAL_EIO); /* too small a buffer */

    frontend_source_t *src = frontend_dir_source(ROOT "/");
    CHECK(src != NULL);
    void *f;
    frontend_info_t info;
    CHECK(src->open(src, "assets/deep/a.js", &f, &info) == PAL_OK);
    CHECK_EQ_INT(info.size, 11);
    CHECK(info.version > 1500000000000ull); /* a modification time in Unix ms */
    char buf[32];
    CHECK_EQ_INT(src->read(f, buf, sizeof buf), 11);
    CHECK(memcmp(buf, "export {};\n", 11) == 0);
    CHECK_EQ_INT(src->read(f, buf, sizeof buf), 0);
    src->close(f);
    CHECK(src->open(src, "assets", &f, &info) == PAL_ENOENT);   /* a folder is not a file */
    CHECK(src->open(src, "missing.js", &f, &info) == PAL_ENOENT);
    /* the source itself refuses what resolves outside, whatever the path looks like */
    CHECK(src->open(src, "../pipit-unit-frontend-secret.txt", &f, &info) == PAL_ENOENT);
    CHECK(src->open(src, "assets/../../pipit-unit-frontend-secret.txt", &f, &info) == PAL_ENOENT);
    src->destroy(src);

    CHECK(frontend_dir_source(ROOT "/index.html") == NULL); /* a file, not a folder */
    CHECK(frontend_dir_source(ROOT "/nope") == NULL);
    pal_file_remove(ROOT "/assets/deep/a.js");
    pal_file_remove(ROOT "/index.html");
    pal_file_remove("/tmp/pipit-unit-frontend-secret.txt");
}

UNIT_TEST(content_types_by_extension)
{
    CHECK_EQ_STR(frontend_content_type("index.html"), "text/html; charset=utf-8");
    CHECK_EQ_STR(frontend_content_type("assets/app-1a2b.JS"), "text/javascript; charset=utf-8");
    CHECK_EQ_STR(frontend_content_type("w.mjs"), "text/javascript; charset=utf-8");
    CHECK_EQ_STR(frontend_content_type("a.css"), "text/css; charset=utf-8");
    CHECK_EQ_STR(frontend_content_type("a.js.map"), "application/json");
    CHECK_EQ_STR(frontend_content_type("f.woff2"), "font/woff2");
    CHECK_EQ_STR(frontend_content_type("m.wasm"), "application/wasm");
    CHECK_EQ_STR(frontend_content_type("site.webmanifest"), "application/manifest+json");
    CHECK_EQ_STR(frontend_content_type("dir.v2/noext"), "application/octet-stream");
    CHECK_EQ_STR(frontend_content_type(".png"), "image/png");
}

/* The built-in page (the generated table of web/): sorted for the lookup, every text file with
 * its gzip variant, reads in chunks give back the file, absent names are ENOENT. */
UNIT_TEST(built_in_page_source)
{
    CHECK(frontend_web_nfiles >= 4);
    for (unsigned i = 1; i < frontend_web_nfiles; i++) CHECK(strcmp(frontend_web_files[i - 1].rel, frontend_web_files[i].rel) < 0);
    CHECK(frontend_web_gz_bytes < frontend_web_bytes);
    frontend_source_t *src = frontend_web_source();
    void *f;
    frontend_info_t info, gzinfo;
    CHECK(src->open(src, "index.html", &f, &info) == PAL_OK);
    char buf[64 * 1024];
    size_t got = 0;
    long n;
    while ((n = src->read(f, buf + got, 7)) > 0) got += (size_t)n; /* odd chunks, to the end */
    CHECK(n == 0 && got == info.size && got > 100 && got < sizeof buf);
    buf[got] = 0;
    CHECK(strstr(buf, "<!doctype html>") == buf && strstr(buf, "/js/app.js"));
    src->close(f);
    CHECK(src->open(src, "index.html.gz", &f, &gzinfo) == PAL_OK);
    CHECK(src->read(f, buf, 2) == 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b);
    CHECK(gzinfo.size < info.size && gzinfo.version != info.version);
    src->close(f);
    CHECK(src->open(src, "vendor/uPlot.iife.min.js", &f, &info) == PAL_OK);
    src->close(f);
    CHECK(src->open(src, "js/app.js.gz", &f, &info) == PAL_OK);
    src->close(f);
    CHECK(src->open(src, "missing.html", &f, &info) == PAL_ENOENT);
    CHECK(src->open(src, "index.htm", &f, &info) == PAL_ENOENT);
    CHECK(src->open(src, "", &f, &info) == PAL_ENOENT);
    CHECK(src->open(src, "zzz", &f, &info) == PAL_ENOENT);
    src->destroy(src); /* a static source: nothing to free, still usable */
    CHECK(frontend_web_source()->open(frontend_web_source(), "style.css", &f, &info) == PAL_OK);
    frontend_web_source()->close(f);
}

UNIT_SUITE(suite_frontend, UNIT_CASE(folder_source_opens_files_inside_only), UNIT_CASE(content_types_by_extension),
           UNIT_CASE(built_in_page_source));
