/* system — see system.h. */
#include "system.h"

#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/flags.h"
#include "../core/log.h"
#include "../platform/pal.h"
#include "api.h"
#include "notifier.h"

static const config_t *cfg;
static loop_t *loop;
static uint64_t started_ms; /* pal_mono_ms() at system_init: the node's uptime */

static int api_ping(api_req_t *req)
{
    api_reply_true(req);
    return API_DONE;
}

static void write_flags(json_writer_t *w)
{
    json_begin_object(w);
    for (int i = 0; i < flags_count(); i++) {
        json_write_key(w, flags_name(i));
        json_write_bool(w, flags_on(i));
    }
    json_end_object(w);
}

static void write_allocator(json_writer_t *w)
{
    json_begin_object(w);
    json_write_key(w, "budget");
    json_write_uint64(w, alloc_budget());
    json_write_key(w, "live");
    json_write_uint64(w, alloc_live());
    json_write_key(w, "peak");
    json_write_uint64(w, alloc_peak());
    json_write_key(w, "tags");
    json_begin_object(w);
    for (int t = 0; t < ALLOC_TAG_COUNT; t++) {
        alloc_stats_t s;
        alloc_tag_stats((alloc_tag_t)t, &s);
        if (!s.count && !s.failures) continue;
        json_write_key(w, alloc_tag_name((alloc_tag_t)t));
        json_begin_object(w);
        json_write_key(w, "live");
        json_write_uint64(w, s.live);
        json_write_key(w, "peak");
        json_write_uint64(w, s.peak);
        json_write_key(w, "allocations");
        json_write_uint64(w, s.count);
        json_write_key(w, "failures");
        json_write_uint64(w, s.failures);
        json_end_object(w);
    }
    json_end_object(w);
    json_end_object(w);
}

/* rotki's /info shape, plus pipit's own figures under "pipit". */
static int api_info(api_req_t *req)
{
    int check;
    if (api_arg_bool(req, "check_for_updates", 0, &check) != 0) return API_DONE;
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "version");
    json_begin_object(w);
    json_write_key(w, "our_version");
    json_write_str(w, PIPIT_VERSION);
    json_write_key(w, "latest_version");
    json_write_str(w, PIPIT_VERSION); /* pipit never calls home: no update check */
    json_write_key(w, "download_url");
    json_write_null(w);
    json_end_object(w);
    json_write_key(w, "data_directory");
    json_write_str(w, cfg->data_dir);
    json_write_key(w, "log_level");
    json_write_str(w, log_level_name(log_get_level()));
    json_write_key(w, "accept_unauthenticated_api");
    json_write_bool(w, 0);
    json_write_key(w, "session_auth");
    json_write_bool(w, 0);
    json_write_key(w, "backend_default_arguments");
    json_begin_object(w);
    json_write_key(w, "max_logfiles_num");
    json_write_int64(w, 3);
    json_write_key(w, "max_size_in_mb_all_logs");
    json_write_int64(w, 300);
    json_write_key(w, "sqlite_instructions");
    json_write_int64(w, 100000);
    json_end_object(w);

    json_write_key(w, "pipit");
    json_begin_object(w);
    json_write_key(w, "platform");
    json_write_str(w, pal_name());
    json_write_key(w, "uptime_s");
    json_write_uint64(w, (pal_mono_ms() - started_ms) / 1000);
    json_write_key(w, "api");
    json_begin_object(w);
    json_write_key(w, "host");
    json_write_str(w, cfg->api_host);
    json_write_key(w, "max_body_size");
    json_write_uint64(w, cfg->max_body_size);
    json_end_object(w);
    json_write_key(w, "flags");
    write_flags(w);
    json_write_key(w, "allocator");
    write_allocator(w);
    loop_stats_t ls;
    loop_get_stats(loop, &ls);
    json_write_key(w, "loop");
    json_begin_object(w);
    json_write_key(w, "turns");
    json_write_uint64(w, ls.turns);
    json_write_key(w, "longest_turn_us");
    json_write_uint64(w, ls.longest_turn_us);
    json_write_key(w, "sockets");
    json_write_uint64(w, loop_io_count(loop));
    json_end_object(w);
    notifier_stats_t ns;
    notifier_get_stats(&ns);
    json_write_key(w, "notifier");
    json_begin_object(w);
    json_write_key(w, "clients");
    json_write_uint64(w, ns.clients);
    json_write_key(w, "messages_sent");
    json_write_uint64(w, ns.messages_sent);
    json_write_key(w, "messages_dropped");
    json_write_uint64(w, ns.messages_dropped);
    json_write_key(w, "clients_dropped_slow");
    json_write_uint64(w, ns.clients_dropped_slow);
    json_end_object(w);
    api_stats_t as;
    api_get_stats(&as);
    json_write_key(w, "requests");
    json_begin_object(w);
    json_write_key(w, "total");
    json_write_uint64(w, as.requests);
    json_write_key(w, "rejected_503");
    json_write_uint64(w, as.rejected_503);
    json_end_object(w);
    json_end_object(w);
    json_end_object(w);
    api_reply_end(req, 200, check ? "pipit does not check for updates" : "");
    return API_DONE;
}

static int api_flags_get(api_req_t *req)
{
    write_flags(api_reply_begin(req));
    api_reply_end(req, 200, "");
    return API_DONE;
}

/* PUT /api/1/flags {"flags": {"name": bool, …}}: all or nothing. */
static int api_flags_put(api_req_t *req)
{
    int obj;
    if (api_body_object(req, &obj) != 0) return API_DONE;
    int fl = obj < 0 ? -1 : json_obj_get(&req->doc, obj, "flags");
    if (fl < 0 || json_type(&req->doc, fl) != JSON_OBJECT) {
        api_reply_error(req, 400, "{\"flags\": [\"%s\"]}",
                        fl < 0 ? "Missing data for required field." : "Must be an object of flag name to boolean.");
        return API_DONE;
    }
    static const char *const allowed[] = {"flags", NULL};
    if (api_body_only(req, obj, allowed) != 0) return API_DONE;
    /* validate everything before changing anything */
    for (int k = json_first(&req->doc, fl); k >= 0; k = json_sibling(&req->doc, k)) {
        char name[64];
        int on;
        if (json_get_str(&req->doc, k, name, sizeof name, NULL) != JSON_OK || flags_find(name) < 0) {
            api_reply_error(req, 400, "{\"flags\": [\"Unknown feature flag '%.60s'\"]}", name);
            return API_DONE;
        }
        if (json_get_bool(&req->doc, k + 1, &on) != JSON_OK) {
            api_reply_error(req, 400, "{\"flags\": [\"Feature flag '%s' must be true or false\"]}", name);
            return API_DONE;
        }
    }
    for (int k = json_first(&req->doc, fl); k >= 0; k = json_sibling(&req->doc, k)) {
        char name[64];
        int on;
        json_get_str(&req->doc, k, name, sizeof name, NULL);
        json_get_bool(&req->doc, k + 1, &on);
        if (flags_on(flags_find(name)) != on) log_info("feature flag '%s' switched %s", name, on ? "on" : "off");
        flags_set(flags_find(name), on);
    }
    write_flags(api_reply_begin(req));
    api_reply_end(req, 200, "");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/ping", api_ping, NULL, API_PUBLIC},
    {API_GET, "/api/1/info", api_info, "api.info", API_PUBLIC},
    {API_GET, "/api/1/flags", api_flags_get, NULL, 0},
    {API_PUT, "/api/1/flags", api_flags_put, NULL, 0},
};

int system_init(const config_t *c, loop_t *l)
{
    cfg = c;
    loop = l;
    started_ms = pal_mono_ms();
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
