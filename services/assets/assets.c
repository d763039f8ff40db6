/* assets — rotki's asset endpoints over the registry: types, mappings, the list of all assets,
 * the two searches. A request first lets the registry read the user's tokens and learn the
 * token identifiers it names (registry.h), then reads the user's ignored/whitelisted/owned
 * sets when it filters by them, then answers from memory. Without a logged-in user, mappings
 * and the searches answer from the built-in assets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/keccak.h"
#include "../auth.h"
#include "../chain/accounts.h"
#include "args.h"
#include "registry.h"
#include "routes.h"
#include "sets.h"

enum { Q_MAPPINGS, Q_ALL, Q_SEARCH, Q_LEVENSHTEIN };
enum { IGN_NONE, IGN_EXCLUDE, IGN_SHOW_ONLY };

typedef struct {
    api_req_t *req;
    int kind;
    char **ids; /* mappings' identifiers, /all's identifiers filter */
    size_t nids;
    int has_ids;
    /* filters */
    char name[128], symbol[64], asset_type[32], address[43], value[128];
    int has_name, has_symbol, has_type, has_address, has_value;
    unsigned long long chain_id;
    int ignored, owned_only, whitelisted_only, exact, search_symbol, rebasing_only;
    long long limit, offset;
    int has_limit, has_offset;
    const char *order; /* "name", "symbol", "identifier", "asset_type" */
    int ascending;
    int need_sets, have_sets;
    db_query_t sets;
} aq_t;

static void aq_free(aq_t *q)
{
    asset_args_free_list(q->ids, q->nids);
    db_query_clear(&q->sets);
    alloc_free(q);
}

/* ------------------------------------------------------------------ matching and order */
static void fold(const char *s, char *out, size_t outlen)
{
    size_t i = 0;
    for (; s[i] && i + 1 < outlen; i++) out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out[i] = 0;
}

static int contains_folded(const char *hay, const char *folded_needle)
{
    char h[256];
    fold(hay, h, sizeof h);
    return strstr(h, folded_needle) != NULL;
}

static int equals_folded(const char *a, const char *folded)
{
    char h[256];
    fold(a, h, sizeof h);
    return !strcmp(h, folded);
}

/* UTF-8 into code points (an invalid byte counts as itself), at most max */
static size_t code_points(const char *s, uint32_t *out, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n < max) {
        uint32_t c = *p;
        int extra = c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (c >= 0x80 && c < 0xC0) extra = 0;
        if (extra) c &= 0x3Fu >> extra;
        p++;
        for (int k = 0; k < extra && (*p & 0xC0) == 0x80; k++, p++) c = c << 6 | (*p & 0x3F);
        out[n++] = c;
    }
    return n;
}

/* Levenshtein distance of two folded strings, over code points (as Python's str) */
int asset_levenshtein(const char *a, const char *b)
{
    uint32_t x[128], y[128];
    int row[129];
    size_t n = code_points(a, x, 128), m = code_points(b, y, 128);
    for (size_t j = 0; j <= m; j++) row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int up = row[j];
            int best = diag + (x[i - 1] != y[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

static int distance(const char *folded_value, const asset_info_t *a)
{
    char h[256];
    int best = 100;
    fold(a->name, h, sizeof h);
    int d = asset_levenshtein(folded_value, h);
    if (d < best) best = d;
    fold(a->symbol, h, sizeof h);
    d = asset_levenshtein(folded_value, h);
    return d < best ? d : best;
}

typedef struct {
    asset_info_t a;
    int rank; /* the sort's first key (search distance, fiat/native class), else 0 */
    size_t index;
} hit_t;

static const char *sort_attr;
static int sort_asc;

static int cmp_hits(const void *pa, const void *pb)
{
    const hit_t *x = pa, *y = pb;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    int c = 0;
    if (sort_attr) {
        const char *s = !strcmp(sort_attr, "symbol")       ? x->a.symbol
                        : !strcmp(sort_attr, "identifier") ? x->a.identifier
                        : !strcmp(sort_attr, "asset_type") ? x->a.asset_type
                                                           : x->a.name;
        const char *t = !strcmp(sort_attr, "symbol")       ? y->a.symbol
                        : !strcmp(sort_attr, "identifier") ? y->a.identifier
                        : !strcmp(sort_attr, "asset_type") ? y->a.asset_type
                                                           : y->a.name;
        c = strcmp(s, t);
        if (!sort_asc) c = -c;
    }
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index; /* stable */
}

static int passes(const aq_t *q, const asset_info_t *a, const char *folded_value)
{
    if (q->rebasing_only) return 0; /* no asset pipit knows is flagged rebasing */
    if (q->has_ids) {
        int in = 0;
        for (size_t i = 0; i < q->nids && !in; i++) {
            asset_info_t b;
            in = asset_registry_find(q->ids[i], &b) && !strcmp(b.identifier, a->identifier);
        }
        if (!in) return 0;
    }
    if (q->has_type && strcmp(q->asset_type, a->asset_type) != 0) return 0;
    if (q->chain_id && a->chain_id != q->chain_id) return 0;
    if (q->has_address && strcmp(q->address, a->address) != 0) return 0;
    if (q->kind == Q_ALL) {
        char f[128];
        if (q->has_name && (fold(q->name, f, sizeof f), !contains_folded(a->name, f))) return 0;
        if (q->has_symbol && (fold(q->symbol, f, sizeof f), !contains_folded(a->symbol, f))) return 0;
    }
    if (q->kind == Q_SEARCH) {
        const char *col = q->search_symbol ? a->symbol : a->name;
        if (q->exact ? !equals_folded(col, folded_value) : !contains_folded(col, folded_value)) return 0;
    }
    if (q->kind == Q_LEVENSHTEIN && q->has_value && !contains_folded(a->name, folded_value) &&
        !contains_folded(a->symbol, folded_value))
        return 0;
    if (q->have_sets) {
        int ign = asset_sets_has(&q->sets, SET_IGNORED, a->identifier);
        if ((q->ignored == IGN_EXCLUDE && ign) || (q->ignored == IGN_SHOW_ONLY && !ign)) return 0;
        if (q->owned_only && !asset_sets_has(&q->sets, SET_OWNED, a->identifier)) return 0;
        if (q->whitelisted_only && !asset_sets_has(&q->sets, SET_WHITELISTED, a->identifier)) return 0;
    } else if (q->ignored == IGN_SHOW_ONLY || q->owned_only || q->whitelisted_only) {
        return 0; /* nobody logged in: no such assets */
    }
    return 1;
}

/* ------------------------------------------------------------------ answers */
static void write_opt(json_writer_t *w, const char *key, const char *v)
{
    json_write_key(w, key);
    json_write_str(w, v); /* NULL writes null */
}

static void write_mapping(json_writer_t *w, const asset_info_t *a)
{
    json_write_key(w, a->identifier);
    json_begin_object(w);
    write_opt(w, "name", a->name);
    write_opt(w, "symbol", a->symbol);
    write_opt(w, "asset_type", a->asset_type);
    if (a->evm_chain) write_opt(w, "evm_chain", a->evm_chain);
    if (a->coingecko) write_opt(w, "coingecko", a->coingecko);
    if (a->cryptocompare) write_opt(w, "cryptocompare", a->cryptocompare);
    json_end_object(w);
}

/* One entry of /assets/all, with the fields rotki gives an asset of its type. */
static void write_entry(json_writer_t *w, const asset_info_t *a)
{
    json_begin_object(w);
    write_opt(w, "identifier", a->identifier);
    json_write_key(w, "is_rebasing");
    json_write_bool(w, 0);
    write_opt(w, "asset_type", a->asset_type);
    write_opt(w, "name", a->name);
    write_opt(w, "symbol", a->symbol);
    json_write_key(w, "started");
    json_write_null(w);
    if (strcmp(a->asset_type, "fiat") != 0) {
        if (a->chain_id) {
            write_opt(w, "address", a->address);
            write_opt(w, "evm_chain", a->evm_chain);
            write_opt(w, "token_kind", "erc20");
            json_write_key(w, "decimals");
            json_write_int64(w, a->decimals);
            json_write_key(w, "underlying_tokens");
            json_write_null(w);
            json_write_key(w, "protocol");
            json_write_null(w);
        }
        json_write_key(w, "swapped_for");
        json_write_null(w);
        json_write_key(w, "forked");
        json_write_null(w);
        write_opt(w, "cryptocompare", a->cryptocompare);
        write_opt(w, "coingecko", a->coingecko);
    }
    json_end_object(w);
}

static void write_found(json_writer_t *w, const aq_t *q, const asset_info_t *a)
{
    json_begin_object(w);
    write_opt(w, "identifier", a->identifier);
    write_opt(w, "name", a->name);
    write_opt(w, "symbol", a->symbol);
    if (q->kind == Q_SEARCH) {
        json_write_key(w, "is_custom_asset");
        json_write_bool(w, 0);
    } else {
        write_opt(w, "asset_type", a->asset_type);
    }
    if (a->evm_chain) write_opt(w, "evm_chain", a->evm_chain);
    json_end_object(w);
}

static void reply(aq_t *q)
{
    json_writer_t *w;
    if (q->kind == Q_MAPPINGS) {
        w = api_reply_begin(q->req);
        json_begin_object(w);
        json_write_key(w, "assets");
        json_begin_object(w);
        for (size_t i = 0; i < q->nids; i++) {
            asset_info_t a;
            int dup = 0;
            if (!asset_registry_find(q->ids[i], &a)) continue; /* rotki leaves unknown identifiers out */
            for (size_t k = 0; k < i && !dup; k++) {
                asset_info_t b;
                dup = asset_registry_find(q->ids[k], &b) && !strcmp(a.identifier, b.identifier);
            }
            if (!dup) write_mapping(w, &a);
        }
        json_end_object(w);
        json_write_key(w, "asset_collections");
        json_begin_object(w);
        json_end_object(w);
        json_end_object(w);
        api_reply_end(q->req, 200, "");
        aq_free(q);
        return;
    }
    size_t total = asset_registry_count(), nh = 0;
    hit_t *hits = alloc_get(ALLOC_HTTP, (total ? total : 1) * sizeof *hits);
    if (!hits) {
        chain_reply_oom(q->req);
        aq_free(q);
        return;
    }
    char folded[128] = "";
    fold(q->kind == Q_ALL ? (q->has_name ? q->name : q->symbol) : q->value, folded, sizeof folded);
    for (size_t i = 0; i < total; i++) {
        hit_t *h = &hits[nh];
        if (asset_registry_at(i, &h->a) != 0 || !passes(q, &h->a, folded)) continue;
        h->index = i;
        h->rank = 0;
        if (q->kind == Q_ALL && (q->has_name || q->has_symbol)) h->rank = distance(folded, &h->a);
        if (q->kind == Q_LEVENSHTEIN) /* rotki: fiat first, then the chains' natives, then the distance */
            h->rank = (strcmp(h->a.asset_type, "fiat") != 0) * 2000 + !h->a.native * 1000 +
                      (q->has_value ? distance(folded, &h->a) : 100);
        nh++;
    }
    sort_attr = q->kind == Q_LEVENSHTEIN ? NULL : q->order;
    sort_asc = q->ascending;
    qsort(hits, nh, sizeof *hits, cmp_hits);
    size_t from = q->has_offset && q->offset > 0 ? (size_t)q->offset : 0, to = nh;
    if (q->has_limit && q->limit >= 0 && from + (size_t)q->limit < to) to = from + (size_t)q->limit;
    if (from > nh) from = nh;
    w = api_reply_begin(q->req);
    if (q->kind == Q_ALL) {
        json_begin_object(w);
        json_write_key(w, "entries");
    }
    json_begin_array(w);
    for (size_t i = from; i < to; i++) {
        if (q->kind == Q_ALL) write_entry(w, &hits[i].a);
        else write_found(w, q, &hits[i].a);
    }
    json_end_array(w);
    if (q->kind == Q_ALL) {
        json_write_key(w, "entries_found");
        json_write_uint64(w, nh);
        json_write_key(w, "entries_total");
        json_write_uint64(w, total);
        json_write_key(w, "entries_limit");
        json_write_int64(w, -1);
        json_end_object(w);
    }
    api_reply_end(q->req, 200, "");
    alloc_free(hits);
    aq_free(q);
}

static void sets_done(db_job_t *j)
{
    aq_t *q = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(q->req, db_job_status(j), "Could not read the ignored assets: %s", j->errmsg);
        aq_free(q);
        return;
    }
    q->have_sets = 1;
    reply(q);
}

static void resolved(void *ud, const char *error)
{
    aq_t *q = ud;
    if (error) {
        api_reply_error(q->req, 409, "Could not read the user's assets: %s", error);
        aq_free(q);
        return;
    }
    if (q->need_sets && auth_db() && auth_user()) {
        asset_sets_query_init(&q->sets, sets_done, q);
        auth_submit(q->req, &q->sets.job);
        return;
    }
    reply(q);
}

/* ------------------------------------------------------------------ arguments */
static aq_t *aq_new(api_req_t *req, int kind)
{
    aq_t *q = chain_op_new(req, sizeof *q);
    if (!q) return NULL;
    q->req = req;
    q->kind = kind;
    q->order = "name";
    q->ascending = 1;
    return q;
}

/* order_by_attributes + ascending (both or neither, one attribute) */
static int parse_order(aq_t *q, int obj)
{
    static const char *const allowed[] = {"name", "symbol", "identifier", "asset_type", NULL};
    char **attrs = NULL;
    size_t na = 0;
    const json_doc_t *d = &q->req->doc;
    int asc = obj >= 0 ? json_obj_get(d, obj, "ascending") : -1;
    if (asset_arg_list(q->req, obj, "order_by_attributes", 0, &attrs, &na) != 0) return -1;
    int has_asc = asc >= 0 && !json_is_null(d, asc);
    if ((attrs != NULL) != has_asc) {
        asset_args_free_list(attrs, na);
        api_reply_error(q->req, 400,
                        "{\"order_by_attributes\": [\"order_by_attributes and ascending have to be both null or have a value\"]}");
        return -1;
    }
    if (!attrs) return 0;
    int bad = 0, v = 1;
    if (json_type(d, asc) != JSON_ARRAY || json_child_count(d, asc) != (int)na) bad = 1;
    else if (na != 1 || json_get_bool(d, json_first(d, asc), &v) != JSON_OK) bad = 2;
    const char *found = NULL;
    for (const char *const *a = allowed; !bad && *a; a++)
        if (!strcmp(*a, attrs[0])) found = *a;
    if (!bad && !found) {
        char esc[160];
        api_reply_error(q->req, 400, "{\"order_by_attributes\": [\"Unsupported value %s for order_by_attributes\"]}",
                        chain_json_escape(attrs[0], esc, sizeof esc));
    } else if (bad == 1) {
        api_reply_error(q->req, 400, "{\"order_by_attributes\": [\"order_by_attributes and ascending don't have the same length\"]}");
    } else if (bad == 2) {
        api_reply_error(q->req, 400, "{\"order_by_attributes\": [\"Multiple fields ordering is not allowed.\"]}");
    }
    asset_args_free_list(attrs, na);
    if (bad || !found) return -1;
    q->order = found;
    q->ascending = v;
    return 0;
}

static int parse_type(aq_t *q, int obj)
{
    char esc[160];
    if (asset_arg_str(q->req, obj, "asset_type", q->asset_type, sizeof q->asset_type, &q->has_type) != 0) return -1;
    if (!q->has_type) return 0;
    for (const char *const *t = asset_type_names; *t; t++)
        if (!strcmp(*t, q->asset_type)) return 0;
    api_reply_error(q->req, 400, "{\"asset_type\": [\"Failed to deserialize AssetType value %s\"]}",
                    chain_json_escape(q->asset_type, esc, sizeof esc));
    return -1;
}

static int parse_address(aq_t *q, int obj)
{
    char raw[64], esc[160];
    if (asset_arg_str(q->req, obj, "address", raw, sizeof raw, &q->has_address) != 0) return -1;
    if (!q->has_address) return 0;
    if (chain_address_checksummed(raw, strlen(raw), q->address) == 0) return 0;
    api_reply_error(q->req, 400,
                    "{\"address\": [\"Given value %s is not a valid EVM, Solana, or Hyperliquid Core token address\"]}",
                    chain_json_escape(raw, esc, sizeof esc));
    return -1;
}

static int parse_limits(aq_t *q, int obj)
{
    return asset_arg_int(q->req, obj, "limit", &q->limit, &q->has_limit) ||
           asset_arg_int(q->req, obj, "offset", &q->offset, &q->has_offset);
}

/* After the arguments: the registry first (the user's tokens, the identifiers to learn); every
 * kind but mappings then reads the user's sets. */
static int start(aq_t *q, int ignored)
{
    q->ignored = ignored;
    q->need_sets = q->kind != Q_MAPPINGS;
    asset_registry_resolve(q->req, (const char *const *)q->ids, q->nids, resolved, q);
    return API_PENDING;
}

int api_mappings(api_req_t *req)
{
    static const char *const keys[] = {"identifiers", NULL};
    int obj;
    if (api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    aq_t *q = aq_new(req, Q_MAPPINGS);
    if (!q) return API_DONE;
    if (asset_arg_list(req, obj, "identifiers", 1, &q->ids, &q->nids) != 0) {
        aq_free(q);
        return API_DONE;
    }
    return start(q, IGN_NONE);
}

int api_all(api_req_t *req)
{
    static const char *const keys[] = {"limit", "offset", "order_by_attributes", "ascending", "name", "symbol", "asset_type",
                                       "asset_flag", "address", "evm_chain", "ignored_assets_handling",
                                       "show_user_owned_assets_only", "show_whitelisted_assets_only", "identifiers", NULL};
    int obj, present, flag;
    char ign[16], fl[16], esc[64];
    if (auth_require_user(req) || api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    aq_t *q = aq_new(req, Q_ALL);
    if (!q) return API_DONE;
    if (parse_limits(q, obj) || parse_order(q, obj) ||
        asset_arg_str(req, obj, "name", q->name, sizeof q->name, &q->has_name) ||
        asset_arg_str(req, obj, "symbol", q->symbol, sizeof q->symbol, &q->has_symbol) || parse_type(q, obj) ||
        parse_address(q, obj) || asset_arg_evm_chain(req, obj, &q->chain_id) ||
        asset_arg_str(req, obj, "asset_flag", fl, sizeof fl, &flag) ||
        asset_arg_str(req, obj, "ignored_assets_handling", ign, sizeof ign, &present) ||
        api_arg_bool(req, "show_user_owned_assets_only", 0, &q->owned_only) ||
        api_arg_bool(req, "show_whitelisted_assets_only", 0, &q->whitelisted_only) ||
        asset_arg_list(req, obj, "identifiers", 0, &q->ids, &q->nids))
        goto bad;
    q->has_ids = q->ids != NULL;
    if (flag && strcmp(fl, "rebasing") != 0) {
        api_reply_error(req, 400, "{\"asset_flag\": [\"Must be one of: rebasing.\"]}");
        goto bad;
    }
    q->rebasing_only = flag;
    if (present && strcmp(ign, "none") && strcmp(ign, "exclude") && strcmp(ign, "show_only")) {
        api_reply_error(req, 400, "{\"ignored_assets_handling\": [\"Failed to deserialize IgnoredAssetsHandling value %s\"]}",
                        chain_json_escape(ign, esc, sizeof esc));
        goto bad;
    }
    if (q->chain_id && q->has_type && strcmp(q->asset_type, "evm token") != 0) {
        api_reply_error(req, 400, "{\"evm_chain\": [\"Filtering by evm_chain is only supported for evm tokens\"]}");
        goto bad;
    }
    return start(q, !present || !strcmp(ign, "none") ? IGN_NONE : !strcmp(ign, "exclude") ? IGN_EXCLUDE : IGN_SHOW_ONLY);
bad:
    aq_free(q);
    return API_DONE;
}

int api_search(api_req_t *req)
{
    static const char *const keys[] = {"limit", "offset", "order_by_attributes", "ascending", "search_column",
                                       "value", "evm_chain", "return_exact_matches", NULL};
    int obj, present;
    char col[16];
    if (api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    aq_t *q = aq_new(req, Q_SEARCH);
    if (!q) return API_DONE;
    if (parse_limits(q, obj) || parse_order(q, obj) || asset_arg_str(req, obj, "search_column", col, sizeof col, &present))
        goto bad;
    if (!present || (strcmp(col, "name") && strcmp(col, "symbol"))) {
        api_reply_error(req, 400, "{\"search_column\": [\"%s\"]}",
                        present ? "Must be one of: name, symbol." : "Missing data for required field.");
        goto bad;
    }
    q->search_symbol = !strcmp(col, "symbol");
    if (asset_arg_str(req, obj, "value", q->value, sizeof q->value, &q->has_value)) goto bad;
    if (!q->has_value) {
        api_reply_error(req, 400, "{\"value\": [\"Missing data for required field.\"]}");
        goto bad;
    }
    if (asset_arg_evm_chain(req, obj, &q->chain_id) || api_arg_bool(req, "return_exact_matches", 0, &q->exact)) goto bad;
    q->has_offset = 0; /* rotki ignores it here */
    return start(q, IGN_EXCLUDE); /* rotki's searches leave ignored assets out */
bad:
    aq_free(q);
    return API_DONE;
}

int api_levenshtein(api_req_t *req)
{
    static const char *const keys[] = {"value", "evm_chain", "address", "limit", "nft_handling", "asset_type",
                                       "owner_addresses", "name", "collection_name", "ignored_assets_handling", NULL};
    int obj, present;
    char nft[16], esc[64];
    if (api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    aq_t *q = aq_new(req, Q_LEVENSHTEIN);
    if (!q) return API_DONE;
    if (parse_limits(q, obj) || asset_arg_str(req, obj, "value", q->value, sizeof q->value, &q->has_value) ||
        asset_arg_evm_chain(req, obj, &q->chain_id) || parse_address(q, obj) || parse_type(q, obj) ||
        asset_arg_str(req, obj, "nft_handling", nft, sizeof nft, &present))
        goto bad;
    if (!q->has_limit) {
        api_reply_error(req, 400, "{\"limit\": [\"Missing data for required field.\"]}");
        goto bad;
    }
    if (present && strcmp(nft, "exclude") && strcmp(nft, "include") && strcmp(nft, "show_only")) {
        api_reply_error(req, 400, "{\"nft_handling\": [\"Failed to deserialize NftHandling value %s\"]}",
                        chain_json_escape(nft, esc, sizeof esc));
        goto bad;
    }
    if (!q->has_value && !q->has_address) {
        api_reply_error(req, 400, "{\"_schema\": [\"Either value or address need to be provided\"]}");
        goto bad;
    }
    if (q->has_value) { /* rotki strips and casefolds the value */
        char *v = q->value;
        size_t n = strlen(v);
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n')) v[--n] = 0;
        size_t lead = strspn(v, " \t\n");
        memmove(v, v + lead, n - lead + 1);
        q->has_value = v[0] != 0;
    }
    if (present && !strcmp(nft, "show_only")) q->limit = 0; /* pipit has no NFTs */
    return start(q, IGN_EXCLUDE);
bad:
    aq_free(q);
    return API_DONE;
}

int api_types(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_array(w);
    for (const char *const *t = asset_type_names; *t; t++) json_write_str(w, *t);
    json_end_array(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}
