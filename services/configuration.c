/* configuration — see configuration.h. */
#include "configuration.h"

#include <string.h>

#include "../core/log.h"
#include "api.h"

static const config_t *cfg;

static void write_value(json_writer_t *w, const char *name, int64_t value, int is_default)
{
    json_write_key(w, name);
    json_begin_object(w);
    json_write_key(w, "value");
    json_write_int64(w, value);
    json_write_key(w, "is_default");
    json_write_bool(w, is_default);
    json_end_object(w);
}

static void reply_configuration(api_req_t *req, int core)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    if (core) {
        write_value(w, "max_size_in_mb_all_logs", 0, 1);
        write_value(w, "max_logfiles_num", 0, 1);
        write_value(w, "sqlite_instructions", cfg->db_slice_steps, cfg->db_slice_steps == 100);
    }
    json_write_key(w, "loglevel");
    json_begin_object(w);
    json_write_key(w, "value");
    json_write_str(w, log_level_name(log_get_level()));
    json_write_key(w, "is_default");
    json_write_bool(w, log_get_level() == LOG_INFO);
    json_end_object(w);
    json_end_object(w);
    api_reply_end(req, 200, "");
}

static int api_configuration(api_req_t *req)
{
    int core = strncmp(req->path, "/api/1/", 7) == 0;
    if (req->method == API_PUT) {
        static const char *const allowed[] = {"loglevel", NULL};
        static const char *const names[] = {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
        static const log_level_t levels[] = {LOG_DEBUG, LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR, LOG_CRITICAL};
        int obj;
        if (api_body_object(req, &obj) != 0 || api_body_only(req, obj, allowed) != 0) return API_DONE;
        int t = obj >= 0 ? json_obj_get(&req->doc, obj, "loglevel") : -1;
        int found = -1;
        for (int i = 0; t >= 0 && i < 6; i++)
            if (json_str_eq(&req->doc, t, names[i])) found = i;
        if (found < 0) {
            api_reply_error(req, 400, "{\"loglevel\": [\"%s\"]}",
                            t < 0 ? "Missing data for required field." : "Must be one of: TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL.");
            return API_DONE;
        }
        log_set_level(levels[found]);
        log_info("log level set to %s through %s", log_level_name(levels[found]), core ? "core's configuration" : "colibri's configuration");
    }
    reply_configuration(req, core);
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET | API_PUT, "/api/1/settings/configuration", api_configuration, NULL, 0},
    {API_GET | API_PUT, "/colibri/settings/configuration", api_configuration, NULL, 0},
};

int configuration_init(const config_t *c)
{
    cfg = c;
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
