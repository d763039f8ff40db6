/* libFuzzer target for the header values pipit reads: the CORS origin matcher
 * (api_cors_allowed, services/api.c) and the session cookie check (auth_session_verify,
 * services/auth.c). The input is "<api-cors list>\n<rest>"; the rest is the Origin, the Cookie
 * header, and the payload of a session token the harness signs itself (so the fuzzer reaches
 * the payload's decoding). The matcher must agree with a plain recursive matcher; a cookie
 * without a valid MAC never passes; a signed payload passes exactly when it is a JSON object
 * naming the user and sid with an exp after now; a changed MAC or cookie name never passes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>

#include "core/config.h"
#include "core/json.h"
#include "services/api.h"
#include "services/auth.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_headers: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static config_t cfg;
static const unsigned char key[32] = "fuzz-session-key-fuzz-session-k";
static const char *user = "alice", *sid = "00112233445566778899aabbccddeeff";
#define NOW 1700000000

/* the reference: '*' is any run, tried every way */
static int glob_ref(const char *p, size_t pl, const char *s)
{
    if (!pl) return !*s;
    if (*p == '*') {
        for (const char *t = s;; t++) {
            if (glob_ref(p + 1, pl - 1, t)) return 1;
            if (!*t) return 0;
        }
    }
    return *s && *p == *s && glob_ref(p + 1, pl - 1, s + 1);
}

static int cors_ref(const char *list, const char *origin)
{
    if (!*origin) return 0;
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && p[n - 1] == ' ') n--;
        if (n && glob_ref(p, n, origin)) return 1;
        p += n;
        while (*p && *p != ',') p++;
    }
    return 0;
}

static size_t b64url(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    MUST(mbedtls_base64_encode((unsigned char *)out, cap, &o, in, n) == 0);
    while (o && out[o - 1] == '=') o--;
    for (size_t i = 0; i < o; i++) out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    out[o] = 0;
    return o;
}

/* What the payload should give: 0 for an object with "u" = user, "sid" = sid, "exp" > NOW. */
static int payload_ok(const char *p, size_t n)
{
    json_doc_t d;
    if (json_parse(&d, p, n, 16, NULL, 0) != JSON_OK) return -1;
    int64_t exp = 0;
    int ok = json_type(&d, 0) == JSON_OBJECT && json_str_eq(&d, json_obj_get(&d, 0, "u"), user) &&
             json_str_eq(&d, json_obj_get(&d, 0, "sid"), sid) &&
             json_get_int64(&d, json_obj_get(&d, 0, "exp"), &exp) == JSON_OK && exp > NOW;
    json_doc_free(&d);
    return ok ? 0 : -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    config_defaults(&cfg);
    MUST(api_init(&cfg) == 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data, *nl = memchr(in, '\n', size);
    if (!nl) return 0;
    size_t ll = (size_t)(nl - in), rl = size - ll - 1;
    const char *rest = nl + 1;

    /* CORS: the list and the Origin as the server holds them (C strings, bounded) */
    char origin[256];
    snprintf(cfg.api_cors, sizeof cfg.api_cors, "%.*s", (int)ll, in);
    snprintf(origin, sizeof origin, "%.*s", (int)rl, rest);
    int got = api_cors_allowed(origin);
    MUST(got == 0 || got == 1);
    size_t stars = 0;
    for (const char *p = cfg.api_cors; *p; p++) stars += *p == '*';
    if (stars <= 2 || (stars <= 4 && strlen(origin) <= 16)) MUST(got == cors_ref(cfg.api_cors, origin));

    /* the Cookie header as it came: nobody can sign it but the node */
    char cookie[512];
    snprintf(cookie, sizeof cookie, "%.*s", (int)rl, rest);
    MUST(auth_session_verify(cookie, key, user, sid, NOW) == -1);

    /* a token the node would have signed, around the fuzzed payload */
    if (rl > 400) return 0;
    char p64[600], tok[700], s64[64];
    unsigned char mac[32];
    size_t pl = b64url((const unsigned char *)rest, rl, p64, sizeof p64);
    MUST(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, sizeof key, (const unsigned char *)p64, pl, mac) == 0);
    b64url(mac, sizeof mac, s64, sizeof s64);
    int want = payload_ok(rest, rl);
    snprintf(tok, sizeof tok, "theme=dark; rotki_session=%s.%s; lang=en", p64, s64);
    MUST(auth_session_verify(tok, key, user, sid, NOW) == want);
    snprintf(tok, sizeof tok, "rotki_session=%s.%s", p64, s64);
    MUST(auth_session_verify(tok, key, user, sid, NOW) == want);
    MUST(auth_session_verify(tok, key, user, sid, INT64_MAX) == -1); /* every exp has passed */
    snprintf(tok, sizeof tok, "xrotki_session=%s.%s", p64, s64);
    MUST(auth_session_verify(tok, key, user, sid, NOW) == -1);
    s64[rl % 43] = s64[rl % 43] == 'A' ? 'B' : 'A';
    snprintf(tok, sizeof tok, "rotki_session=%s.%s", p64, s64);
    MUST(auth_session_verify(tok, key, user, sid, NOW) == -1);
    return 0;
}
