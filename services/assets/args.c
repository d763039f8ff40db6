/* args — see args.h. */
#include "args.h"

#include <string.h>

#include "../../core/alloc.h"
#include "../chain/accounts.h"
#include "registry.h"

int asset_arg_str(api_req_t *req, int obj, const char *key, char *buf, size_t len, int *present)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    size_t n = 0;
    *present = 0;
    buf[0] = 0;
    if (t < 0 || json_is_null(&req->doc, t)) return 0;
    if (json_type(&req->doc, t) != JSON_STRING || json_get_str(&req->doc, t, buf, len, &n) != JSON_OK || memchr(buf, 0, n)) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid string.\"]}", key);
        return -1;
    }
    *present = n > 0; /* rotki's EmptyAsNoneStringField */
    return 0;
}

int asset_arg_int(api_req_t *req, int obj, const char *key, long long *out, int *present)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    int64_t v;
    *present = 0;
    if (t < 0 || json_is_null(&req->doc, t)) return 0;
    if (json_get_int64(&req->doc, t, &v) != JSON_OK) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid integer.\"]}", key);
        return -1;
    }
    *out = v;
    *present = 1;
    return 0;
}

void asset_args_free_list(char **ids, size_t n)
{
    for (size_t i = 0; ids && i < n; i++) alloc_free(ids[i]);
    alloc_free(ids);
}

static int list_error(api_req_t *req, const char *key, char **ids, size_t n, const char *msg)
{
    asset_args_free_list(ids, n);
    api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", key, msg);
    return -1;
}

int asset_arg_list(api_req_t *req, int obj, const char *key, int required, char ***out, size_t *nout)
{
    const json_doc_t *d = &req->doc;
    int t = obj >= 0 ? json_obj_get(d, obj, key) : -1;
    *out = NULL;
    *nout = 0;
    if (t < 0 || (!required && json_is_null(d, t))) {
        if (required) {
            api_reply_error(req, 400, "{\"%s\": [\"Missing data for required field.\"]}", key);
            return -1;
        }
        return 0;
    }
    char **ids = NULL;
    size_t n = 0;
    if (json_type(d, t) == JSON_STRING) { /* "a,b,c" */
        char *all;
        size_t len;
        if (json_get_strdup(d, t, ALLOC_HTTP, &all, &len) != JSON_OK) return list_error(req, key, NULL, 0, "Not a valid string.");
        size_t parts = 1;
        for (size_t i = 0; i < len; i++) parts += all[i] == ',';
        ids = alloc_zget(ALLOC_HTTP, parts * sizeof *ids);
        for (char *p = all; ids && n < parts; n++) {
            size_t k = strcspn(p, ",");
            ids[n] = alloc_get(ALLOC_HTTP, k + 1);
            if (!ids[n]) break;
            memcpy(ids[n], p, k);
            ids[n][k] = 0;
            p += k + (p[k] == ',');
        }
        alloc_free(all);
        if (!ids || n < parts) {
            asset_args_free_list(ids, n);
            chain_reply_oom(req);
            return -1;
        }
    } else if (json_type(d, t) == JSON_ARRAY) {
        size_t cnt = (size_t)json_child_count(d, t);
        ids = alloc_zget(ALLOC_HTTP, (cnt ? cnt : 1) * sizeof *ids);
        if (!ids) {
            chain_reply_oom(req);
            return -1;
        }
        for (int e = json_first(d, t); e >= 0; e = json_sibling(d, e), n++) {
            size_t len;
            if (json_type(d, e) != JSON_STRING || json_get_strdup(d, e, ALLOC_HTTP, &ids[n], &len) != JSON_OK ||
                memchr(ids[n], 0, len)) {
                asset_args_free_list(ids, n + 1);
                api_reply_error(req, 400, "{\"%s\": {\"%zu\": [\"Not a valid string.\"]}}", key, n);
                return -1;
            }
        }
    } else {
        return list_error(req, key, NULL, 0, "Not a valid list.");
    }
    for (size_t i = 0; i < n; i++)
        if (!ids[i][0]) {
            asset_args_free_list(ids, n);
            api_reply_error(req, 400, "{\"%s\": {\"%zu\": [\"Field cannot be empty.\"]}}", key, i);
            return -1;
        }
    *out = ids;
    *nout = n;
    return 0;
}

int asset_arg_evm_chain(api_req_t *req, int obj, unsigned long long *chain_id)
{
    char name[64], esc[160];
    int present;
    *chain_id = 0;
    if (asset_arg_str(req, obj, "evm_chain", name, sizeof name, &present) != 0) return -1;
    if (!present) return 0;
    *chain_id = asset_evm_chain_id(name);
    if (!*chain_id) {
        api_reply_error(req, 400, "{\"evm_chain\": [\"Given value %s is not a valid EVM chain\"]}",
                        chain_json_escape(name, esc, sizeof esc));
        return -1;
    }
    return 0;
}
