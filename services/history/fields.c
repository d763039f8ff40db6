/* fields — rotki's marshmallow fields as the history endpoints read them: each reader takes one
 * token and answers 400 {"field": ["message"]} with rotki's wording when it does not fit. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../db/snapshots.h"
#include "../auth.h"
#include "../chain/accounts.h"
#include "internal.h"

void hist_reply_oom(api_req_t *req) { chain_reply_oom(req); }

void *hist_op_new(api_req_t *req, size_t size, int *obj)
{
    if (auth_require_user(req) != 0 || api_body_object(req, obj) != 0) return NULL;
    return chain_op_new(req, size);
}

int hist_field_error(api_req_t *req, const char *field, const char *fmt, ...)
{
    char msg[400], esc[900], fesc[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    api_reply_error(req, 400, "{\"%s\": [\"%s\"]}", chain_json_escape(field, fesc, sizeof fesc),
                    chain_json_escape(msg, esc, sizeof esc));
    return -1;
}

int hist_get(api_req_t *req, int obj, const char *key, int null_ok)
{
    int t = obj >= 0 ? json_obj_get(&req->doc, obj, key) : -1;
    if (t >= 0 && null_ok && json_is_null(&req->doc, t)) return -1;
    return t;
}

/* The token's text for a message: a string's value, else its JSON text (cut short). */
static const char *shown(api_req_t *req, int tok, char *buf, size_t len)
{
    const char *raw;
    size_t n;
    if (json_type(&req->doc, tok) == JSON_STRING && json_get_str(&req->doc, tok, buf, len, NULL) == JSON_OK) return buf;
    if (json_get_raw(&req->doc, tok, &raw, &n) != JSON_OK) return "?";
    snprintf(buf, len, "%.*s", (int)(n < len - 1 ? n : len - 1), raw);
    return buf;
}

static int null_error(api_req_t *req, int tok, const char *field)
{
    if (!json_is_null(&req->doc, tok)) return 0;
    hist_field_error(req, field, "Field may not be null.");
    return 1;
}

int hist_parse_int(const char *s, int64_t *out)
{
    while (*s == ' ') s++;
    int neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (*s < '0' || *s > '9') return -1;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    while (*s == ' ') s++;
    if (*s || v > (uint64_t)INT64_MAX + (uint64_t)neg) return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int hist_read_int(api_req_t *req, int tok, const char *field, int64_t *out)
{
    char buf[40];
    if (null_error(req, tok, field)) return -1;
    int type = json_type(&req->doc, tok);
    if ((type == JSON_NUMBER && json_get_int64(&req->doc, tok, out) == JSON_OK) ||
        (type == JSON_STRING && json_get_str(&req->doc, tok, buf, sizeof buf, NULL) == JSON_OK &&
         hist_parse_int(buf, out) == 0))
        return 0;
    return hist_field_error(req, field, "Not a valid integer.");
}

int hist_parse_bool_word(const char *s, int *out)
{
    static const char *const truthy[] = {"t", "T", "true", "True", "TRUE", "on", "On", "ON",
                                         "y", "Y", "yes", "Yes", "YES", "1"};
    static const char *const falsy[] = {"f", "F", "false", "False", "FALSE", "off", "Off", "OFF",
                                        "n", "N", "no", "No", "NO", "0"};
    for (size_t i = 0; i < sizeof truthy / sizeof truthy[0]; i++) {
        if (strcmp(s, truthy[i]) == 0) return *out = 1, 0;
        if (strcmp(s, falsy[i]) == 0) return *out = 0, 0;
    }
    return -1;
}

int hist_read_bool(api_req_t *req, int tok, const char *field, int *out)
{
    char buf[8];
    int64_t n;
    if (null_error(req, tok, field)) return -1;
    if (json_get_bool(&req->doc, tok, out) == JSON_OK) return 0;
    if (json_type(&req->doc, tok) == JSON_NUMBER && json_get_int64(&req->doc, tok, &n) == JSON_OK && (n == 0 || n == 1))
        return *out = (int)n, 0;
    if (json_type(&req->doc, tok) == JSON_STRING && json_get_str(&req->doc, tok, buf, sizeof buf, NULL) == JSON_OK &&
        hist_parse_bool_word(buf, out) == 0)
        return 0;
    return hist_field_error(req, field, "Not a valid boolean.");
}

int hist_read_str(api_req_t *req, int tok, const char *field, int empty_null, char **out)
{
    *out = NULL;
    if (null_error(req, tok, field)) return -1;
    if (json_type(&req->doc, tok) != JSON_STRING) return hist_field_error(req, field, "Not a valid string.");
    int rc = json_get_strdup(&req->doc, tok, ALLOC_HTTP, out, NULL);
    if (rc == JSON_ENOMEM) {
        hist_reply_oom(req);
        return -1;
    }
    if (rc != JSON_OK) return hist_field_error(req, field, "Not a valid string.");
    if (empty_null && !(*out)[0]) {
        alloc_free(*out);
        *out = NULL;
    }
    return 0;
}

int hist_read_timestamp(api_req_t *req, int tok, const char *field, int64_t *out)
{
    char text[64], buf[64];
    const char *raw;
    size_t n;
    if (null_error(req, tok, field)) return -1;
    int type = json_type(&req->doc, tok), ok = 0;
    if (type == JSON_STRING) ok = json_get_str(&req->doc, tok, text, sizeof text, NULL) == JSON_OK;
    else if (type == JSON_NUMBER && json_get_raw(&req->doc, tok, &raw, &n) == JSON_OK && n < sizeof text)
        ok = (memcpy(text, raw, n), text[n] = 0, 1);
    if (!ok) return hist_field_error(req, field, "Failed to deserialize a timestamp entry. Unexpected type given");
    if (snapshot_parse_timestamp(text, strlen(text), out) == 0) return 0;
    if (text[0] == '-' && snapshot_parse_timestamp(text + 1, strlen(text + 1), out) == 0 && *out != 0)
        return hist_field_error(req, field, "Failed to deserialize a timestamp entry. Timestamps can not have negative "
                                            "values. Given value was %s", text);
    return hist_field_error(req, field, "Failed to deserialize a timestamp entry from string %s",
                            shown(req, tok, buf, sizeof buf));
}

int hist_read_amount(api_req_t *req, int tok, const char *field, char *out, size_t outlen)
{
    char buf[64];
    if (null_error(req, tok, field)) return -1;
    int rc = json_get_amount(&req->doc, tok, out, outlen);
    if (rc == JSON_OK) return 0;
    if (rc == JSON_ERANGE) return hist_field_error(req, field, "The amount has more than %zu digits", outlen - 2);
    return hist_field_error(req, field, "Failed to deserialize value entry: %s is not a decimal number",
                            shown(req, tok, buf, sizeof buf));
}

int hist_read_location(api_req_t *req, int tok, const char *field, char *out)
{
    char buf[64];
    if (null_error(req, tok, field)) return -1;
    if (json_type(&req->doc, tok) != JSON_STRING)
        return hist_field_error(req, field, "Failed to deserialize Location value from non string value: %s",
                                shown(req, tok, buf, sizeof buf));
    *out = json_get_str(&req->doc, tok, buf, sizeof buf, NULL) == JSON_OK ? snapshot_location_code(buf, strlen(buf)) : 0;
    if (*out) return 0;
    return hist_field_error(req, field, "Failed to deserialize Location value %s", shown(req, tok, buf, sizeof buf));
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int hist_read_asset(api_req_t *req, int tok, const char *field, char **out)
{
    char buf[64];
    *out = NULL;
    if (null_error(req, tok, field)) return -1;
    if (json_type(&req->doc, tok) != JSON_STRING)
        return hist_field_error(req, field, "Tried to initialize an asset out of a non-string identifier %s",
                                shown(req, tok, buf, sizeof buf));
    if (hist_read_str(req, tok, field, 0, out) != 0) return -1;
    char *s = *out, *o = s; /* urllib.parse.unquote, as rotki's AssetField does */
    for (; *s; s++) {
        int hi, lo;
        if (s[0] == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
            *o++ = (char)(hi * 16 + lo);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
    if ((*out)[0]) return 0;
    alloc_free(*out);
    *out = NULL;
    return hist_field_error(req, field, "Tried to initialize an asset out of an empty identifier");
}
