/* libFuzzer target for the /api/1 router and its argument readers (services/api.c). The input
 * is a request as text: "METHOD /path?query" on the first line, the body after it. It is built
 * with api_req_new / api_req_set_query / api_req_append_body and dispatched to the real route
 * tables of services that need no loop (settings, tags, snapshots, history events, accounts,
 * nodes, statistics: without a logged-in user they answer 401 after their argument checks)
 * and to a table of this harness whose handlers check what the readers hand back: path
 * parameters are whole segments of the path, query values are parts of the query and fit their
 * buffer, booleans are 0 or 1, api_body_only lets through only the allowed keys. Every request
 * must be answered at once with rotki's envelope and a status the API documents. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/config.h"
#include "core/flags.h"
#include "services/api.h"
#include "services/chain/accounts.h"
#include "services/chain/nodes.h"
#include "services/history/events.h"
#include "services/settings.h"
#include "services/snapshots.h"
#include "services/statistics.h"
#include "services/tags.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_api: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static config_t cfg;
static int sent;

static void check_param(api_req_t *r, const char *name)
{
    const char *v = api_path_param(r, name);
    MUST(v && *v && strlen(v) < sizeof r->params[0].value && !strchr(v, '/') && strstr(r->path, v));
}

static int h_args(api_req_t *r)
{
    check_param(r, "name");
    static const char *const names[] = {"a", "b", "", "flag", "async_query", "a=b"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char small[4], big[512];
        memset(small, 'Z', sizeof small);
        int fs = api_query_arg(r, names[i], small, sizeof small), fb = api_query_arg(r, names[i], big, sizeof big);
        MUST(fs == fb);
        if (!fb) continue;
        MUST(r->query && strlen(small) < sizeof small && strlen(big) < sizeof big);
        MUST(strncmp(small, big, strlen(small)) == 0 && strstr(r->query, big));
    }
    int obj, v;
    if (api_body_object(r, &obj) != 0) return API_DONE;
    MUST(obj == -1 || obj == 0);
    if (api_arg_bool(r, "flag", 7, &v) != 0) return API_DONE;
    MUST(v == 0 || v == 1 || v == 7);
    static const char *const allowed[] = {"a", "b", "flag", NULL};
    if (api_body_only(r, obj, allowed) != 0) return API_DONE;
    if (obj >= 0)
        for (int k = json_first(&r->doc, obj); k >= 0; k = json_sibling(&r->doc, k))
            MUST(json_str_eq(&r->doc, k, "a") || json_str_eq(&r->doc, k, "b") || json_str_eq(&r->doc, k, "flag"));
    api_reply_true(r);
    return API_DONE;
}

static int h_four(api_req_t *r)
{
    MUST(r->nparams == 4);
    check_param(r, "w"), check_param(r, "x"), check_param(r, "y"), check_param(r, "z");
    api_reply_true(r);
    return API_DONE;
}

static int h_item(api_req_t *r)
{
    MUST(r->nparams == 1);
    check_param(r, "id");
    api_reply_true(r);
    return API_DONE;
}

static int h_literal(api_req_t *r)
{
    MUST(r->nparams == 0 || !api_path_param(r, "id"));
    api_reply_true(r);
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET | API_POST | API_PATCH, "/fuzz/args/<name>", h_args, NULL, 0},
    {API_PUT, "/fuzz/<w>/<x>/<y>/<z>", h_four, NULL, 0},
    {API_GET, "/fuzz/item/literal", h_literal, NULL, 0},
    {API_GET | API_DELETE, "/fuzz/item/<id>", h_item, NULL, 0},
    {API_GET, "/fuzz/switched", h_literal, "fuzz_switched_off", 0},
};

static void sender(api_req_t *r)
{
    sent++;
    MUST(r->replied && r->out && r->out_len);
    static const int ok[] = {200, 400, 401, 404, 405, 409, 413, 503};
    int known = 0;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) known |= r->status == ok[i];
    if (!known) fprintf(stderr, "fuzz_api: status %d for %s: %.*s\n", r->status, r->path, (int)r->out_len, r->out + r->out_off);
    MUST(known);
    json_doc_t d;
    MUST(json_parse(&d, r->out + r->out_off, r->out_len, 0, NULL, 0) == JSON_OK);
    MUST(json_type(&d, 0) == JSON_OBJECT && json_obj_get(&d, 0, "result") >= 0);
    int m = json_obj_get(&d, 0, "message");
    MUST(m >= 0 && json_type(&d, m) == JSON_STRING);
    json_doc_free(&d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    config_defaults(&cfg);
    cfg.max_body_size = 4096; /* inputs up to 8 KiB reach the 413 path */
    MUST(api_init(&cfg) == 0);
    api_set_sender(sender, 0);
    MUST(settings_init() == 0 && tags_init() == 0 && snapshots_init() == 0 && history_events_init() == 0 &&
         chain_accounts_init() == 0 && chain_nodes_init() == 0 && statistics_init() == 0);
    MUST(api_add_routes(routes, sizeof routes / sizeof routes[0]) == 0);
    flags_set(flags_find("fuzz_switched_off"), 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct { const char *name; unsigned m; } methods[] = {
        {"GET", API_GET}, {"POST", API_POST}, {"PUT", API_PUT}, {"PATCH", API_PATCH},
        {"DELETE", API_DELETE}, {"OPTIONS", API_OPTIONS}, {"HEAD", API_HEAD},
    };
    const char *in = (const char *)data, *end = in + size;
    const char *nl = memchr(in, '\n', size), *line_end = nl ? nl : end;
    const char *sp = memchr(in, ' ', (size_t)(line_end - in));
    if (!sp) return 0;
    unsigned method = API_GET;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if ((size_t)(sp - in) == strlen(methods[i].name) && !memcmp(in, methods[i].name, (size_t)(sp - in))) method = methods[i].m;
    const char *target = sp + 1, *q = memchr(target, '?', (size_t)(line_end - target));
    const char *path_end = q ? q : line_end;
    /* lws hands over a C string: the path stops at a NUL */
    const char *nul = memchr(target, 0, (size_t)(path_end - target));
    size_t path_len = (size_t)((nul ? nul : path_end) - target);

    api_req_t *r = api_req_new((void *)1, method, target, path_len);
    MUST(r);
    MUST(strlen(r->path) == (path_len < sizeof r->path ? path_len : sizeof r->path - 1));
    if (q) {
        MUST(api_req_set_query(r, q + 1, (size_t)(line_end - q - 1)) == 0);
        MUST(strlen(r->query) <= (size_t)(line_end - q - 1));
    }
    int body_rc = 0;
    if (nl && nl + 1 < end) {
        /* in two appends, as the server may get it */
        size_t blen = (size_t)(end - nl - 1), half = blen / 2;
        body_rc = api_req_append_body(r, nl + 1, half);
        if (!body_rc) body_rc = api_req_append_body(r, nl + 1 + half, blen - half);
        MUST(body_rc == (blen > cfg.max_body_size ? 413 : 0));
        if (!body_rc) MUST(r->body_len == blen && !memcmp(r->body, nl + 1, blen));
    }
    if (body_rc) {
        api_req_free(r);
        return 0;
    }
    int before = sent;
    api_req_dispatch(r);
    MUST(sent == before + 1 && r->replied && !r->pending);
    api_req_free(r);
    return 0;
}
