/* exchanges — rotki's exchange endpoints over the clients in this folder: the accounts and their
 * keys (user_credentials, so encrypted with the user DB), balances, and the history refresh
 * that stores trades, deposits and withdrawals as history events once.
 *
 * Each account's work is an exch_op_t protothread; a request runs one per account at once and
 * answers when the last is done. Around an operation this file does the DB parts: the Kraken
 * nonce high-water mark (read before the first call, stored after), the history range
 * (used_query_ranges, rotki's `<location>_history_events_<name>`) and the events' insert. */
#include "exchanges.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/alloc.h"
#include "../../core/log.h"
#include "../../db/query.h"
#include "../../db/userdb.h"
#include "../api.h"
#include "../auth.h"
#include "../messages.h"
#include "../prices.h"
#include "../userhub.h"
#include "exchange.h"

#define MAX_ACCOUNTS 32
#define STATES 32
#define BALANCE_CACHE_S 600

static const exchange_t *const all_exchanges[] = {&exchange_kraken, &exchange_binance};
#define N_EXCHANGES (sizeof all_exchanges / sizeof all_exchanges[0])

/* An account's last balances, for /exchanges/balances without ignore_cache and /balances. */
typedef struct {
    char location[16], name[64], user[128];
    int64_t ts;
    exch_balance_t *bal;
    size_t n;
} cached_t;

static struct {
    loop_t *loop;
    const config_t *cfg;
    exch_state_t states[STATES];
    cached_t cache[MAX_ACCOUNTS];
    int refreshing; /* a history refresh is running */
} xs;

static const exchange_t *exchange_by_name(const char *loc)
{
    for (size_t i = 0; i < N_EXCHANGES; i++)
        if (loc && !strcmp(all_exchanges[i]->location, loc)) return all_exchanges[i];
    return NULL;
}

static const exchange_t *exchange_by_code(const char *code)
{
    for (size_t i = 0; i < N_EXCHANGES; i++)
        if (code && code[0] == all_exchanges[i]->db_code && !code[1]) return all_exchanges[i];
    return NULL;
}

static exch_state_t *state_for(const exch_creds_t *cr)
{
    exch_state_t *free_slot = NULL;
    for (int i = 0; i < STATES; i++) {
        exch_state_t *s = &xs.states[i];
        if (!strcmp(s->location, cr->location) && !strcmp(s->name, cr->name)) return s;
        if (!s->location[0] && !free_slot) free_slot = s;
    }
    if (!free_slot) free_slot = &xs.states[0]; /* more accounts than slots: reuse (limits restart) */
    memset(free_slot, 0, sizeof *free_slot);
    snprintf(free_slot->location, sizeof free_slot->location, "%s", cr->location);
    snprintf(free_slot->name, sizeof free_slot->name, "%s", cr->name);
    return free_slot;
}

static int64_t now_s(void) { return pal_wall_ms() / 1000; }

/* ------------------------------------------------------------------ running one account */
typedef struct xreq xreq_t;

typedef struct {
    exch_op_t op;
    xreq_t *owner;
    db_query_t q;
    db_batch_t b;
    history_insert_t ins;
    int job_done;
    char sql_name[140], nonce_name[96], nonce_text[24], ts_text[24];
    int from_cache; /* balances taken from the cache, not queried */
} run_t;

struct xreq {
    api_req_t *req;        /* NULL for the periodic refresh */
    int kind;
    int pending;           /* runs still going */
    run_t *runs[MAX_ACCOUNTS];
    int nruns;
    void (*all_done)(xreq_t *x);
    /* request specifics */
    exch_creds_t cr;
    char old_name[64];
    int has_markets, has_tier, keys_changed, have_new_name;
    char new_name[64];
    int loc_filter_set;
    char loc_filter[16];
    int ignore_cache;
    loop_task_t task;
    int job_done;
    db_query_t q;
    db_batch_t b;
    int status;
    char msg[700];
    prices_query_t pq;
    const char **assets;
    size_t nassets;
    char code[2];                    /* the location's DB code */
    char range_old[140], range_new[140];
    void (*finished)(void *ud, const char *error); /* the periodic run's completion */
    void *finished_ud;
};

static void submit(xreq_t *x, db_job_t *job)
{
    if (x->req) auth_submit(x->req, job);
    else db_job_submit(auth_db(), job);
}

/* DB jobs here take the flag to raise as their ud */
static void flag_done(db_job_t *j) { *(int *)j->ud = 1; }

/* Submits a job for request x and parks task t until it is done (not when logged out). */
#define WAIT_DB(t, x, flag, jobp)                                                                      \
    do {                                                                                               \
        (flag) = 0;                                                                                    \
        (jobp)->waiter = (t);                                                                          \
        if (!auth_db()) break;                                                                         \
        submit((x), (jobp));                                                                           \
        PT_WAIT_UNTIL(&(t)->pt, (flag));                                                               \
    } while (0)
#define RUN_DB(t, r, jobp) WAIT_DB((t), (r)->owner, (r)->job_done, (jobp))

static int (*const *phase_fn(const exch_op_t *op))(exch_op_t *)
{
    return op->kind == EXCH_HISTORY ? &op->ex->history_pt : op->kind == EXCH_BALANCES ? &op->ex->balances_pt : &op->ex->validate_pt;
}

/* The account's protothread: DB before, the exchange's own protothread, DB after. */
static int run_pt(loop_task_t *t)
{
    run_t *r = t->ud;
    exch_op_t *op = &r->op;
    PT_BEGIN(&t->pt);
    if (op->ex == &exchange_kraken && !op->st->nonce_loaded && auth_db()) {
        snprintf(r->nonce_name, sizeof r->nonce_name, "pipit_kraken_nonce:%s", op->cr.name);
        db_query_init(&r->q, "SELECT value FROM key_value_cache WHERE name = ?", flag_done, &r->job_done);
        db_query_param(&r->q, r->nonce_name);
        RUN_DB(t, r, &r->q.job);
        if (r->job_done && r->q.job.rc == DB_JOB_DONE && r->q.nrows == 1 && db_query_cell(&r->q, 0, 0)) {
            uint64_t v = strtoull(db_query_cell(&r->q, 0, 0), NULL, 10);
            if (v > op->st->nonce_last) op->st->nonce_last = v;
        }
        db_query_clear(&r->q);
        op->st->nonce_loaded = 1;
    }
    if (op->kind == EXCH_HISTORY) { /* where the last refresh ended */
        snprintf(r->sql_name, sizeof r->sql_name, "%s_history_events_%s", op->cr.location, op->cr.name);
        db_query_init(&r->q, "SELECT end_ts FROM used_query_ranges WHERE name = ?", flag_done, &r->job_done);
        db_query_param(&r->q, r->sql_name);
        RUN_DB(t, r, &r->q.job);
        op->since_s = r->job_done && r->q.job.rc == DB_JOB_DONE && r->q.nrows == 1 && db_query_cell(&r->q, 0, 0)
                          ? strtoll(db_query_cell(&r->q, 0, 0), NULL, 10)
                          : 0;
        db_query_clear(&r->q);
        op->until_s = now_s();
        messages_history_events_status("querying_events_started", op->cr.location, op->cr.name, op->since_s, op->until_s);
    }

    PT_INIT(&op->sub);
    PT_WAIT_WHILE(&t->pt, PT_SCHEDULE((*phase_fn(op))(op)));

    if (op->ex == &exchange_kraken && op->st->nonce_last > op->st->nonce_reserved && auth_db()) {
        snprintf(r->nonce_text, sizeof r->nonce_text, "%llu", (unsigned long long)op->st->nonce_last);
        db_batch_init(&r->b, flag_done, &r->job_done);
        db_stmt_t *s = db_batch_add(&r->b, "INSERT OR REPLACE INTO key_value_cache(name, value) VALUES (?, ?)");
        db_stmt_param(s, r->nonce_name);
        db_stmt_param(s, r->nonce_text);
        RUN_DB(t, r, &r->b.job);
        if (r->job_done && r->b.job.rc == DB_JOB_DONE) op->st->nonce_reserved = op->st->nonce_last;
    }
    if (op->kind == EXCH_HISTORY && !op->status) {
        /* the events, then the range: a failure in between only means reading them again */
        history_insert_init(&r->ins, op->ev, op->nev, flag_done, &r->job_done);
        RUN_DB(t, r, &r->ins.job);
        if (!r->job_done || r->ins.job.rc != DB_JOB_DONE) {
            exch_fail(op, 409, "Could not store %s %s's history events: %s", op->cr.location, op->cr.name,
                      r->job_done ? r->ins.job.errmsg : "the user logged out");
        } else {
            log_info("exchanges: %s %s: %zu events read, %zu new", op->cr.location, op->cr.name, op->nev,
                     history_insert_count(&r->ins));
            snprintf(r->ts_text, sizeof r->ts_text, "%lld", (long long)op->until_s);
            db_batch_init(&r->b, flag_done, &r->job_done);
            db_stmt_t *s = db_batch_add(&r->b, "INSERT OR REPLACE INTO used_query_ranges(name, start_ts, end_ts) VALUES (?, 0, ?)");
            db_stmt_param(s, r->sql_name);
            db_stmt_param(s, r->ts_text);
            RUN_DB(t, r, &r->b.job);
        }
        history_insert_clear(&r->ins);
    }
    if (op->kind == EXCH_HISTORY)
        messages_history_events_status("querying_events_finished", op->cr.location, op->cr.name, op->since_s, op->until_s);
    PT_END(&t->pt);
}

static void run_free(run_t *r)
{
    exch_op_t *op = &r->op;
    httpc_cancel(&op->http);
    httpc_clear(&op->http);
    json_doc_free(&op->doc);
    db_query_clear(&r->q);
    if (op->scratch && op->ex->free_scratch) op->ex->free_scratch(op);
    alloc_free(op->scratch);
    alloc_free(op->body);
    alloc_free(op->bal);
    alloc_free(op->ev);
    alloc_free(r);
}

static void run_end(loop_task_t *t)
{
    run_t *r = t->ud;
    xreq_t *x = r->owner;
    if (--x->pending == 0) x->all_done(x);
}

static int start_run(xreq_t *x, const exchange_t *ex, const exch_creds_t *cr, int kind)
{
    run_t *r = alloc_zget(ALLOC_CLIENT, sizeof *r);
    if (!r || x->nruns == MAX_ACCOUNTS) {
        alloc_free(r);
        return -1;
    }
    r->owner = x;
    r->op.ex = ex;
    r->op.cr = *cr;
    r->op.st = state_for(cr);
    r->op.kind = kind;
    x->runs[x->nruns++] = r;
    x->pending++;
    loop_task_start(xs.loop, &r->op.task, run_pt, run_end, r);
    r->op.task.name = kind == EXCH_HISTORY ? "exchange_history" : "exchange_balances";
    return 0;
}

static void xreq_free(xreq_t *x)
{
    for (int i = 0; i < x->nruns; i++) run_free(x->runs[i]);
    db_query_clear(&x->q);
    prices_query_clear(&x->pq);
    alloc_free(x->assets);
    alloc_free(x);
}

static xreq_t *xreq_new(api_req_t *req)
{
    xreq_t *x = alloc_zget(ALLOC_CLIENT, sizeof *x);
    if (!x && req) api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
    if (x) x->req = req;
    return x;
}

/* ------------------------------------------------------------------ credentials from the DB */
#define CREDS_SQL                                                                                       \
    "SELECT c.name, c.location, c.api_key, c.api_secret, "                                              \
    "(SELECT setting_value FROM user_credentials_mappings m WHERE m.credential_name = c.name AND "      \
    "m.credential_location = c.location AND m.setting_name = 'kraken_account_type'), "                  \
    "(SELECT setting_value FROM user_credentials_mappings m WHERE m.credential_name = c.name AND "      \
    "m.credential_location = c.location AND m.setting_name = 'binance_selected_trade_pairs') "          \
    "FROM user_credentials c WHERE c.location IN ('B', 'E') ORDER BY c.location, c.name"

/* Row r of a CREDS_SQL query as credentials: the exchange, or NULL when not one of ours. */
static const exchange_t *creds_from_row(const db_query_t *q, size_t r, exch_creds_t *cr)
{
    const exchange_t *ex = exchange_by_code(db_query_cell(q, r, 1));
    if (!ex) return NULL;
    memset(cr, 0, sizeof *cr);
    snprintf(cr->location, sizeof cr->location, "%s", ex->location);
    snprintf(cr->name, sizeof cr->name, "%s", db_query_cell(q, r, 0) ? db_query_cell(q, r, 0) : "");
    snprintf(cr->api_key, sizeof cr->api_key, "%s", db_query_cell(q, r, 2) ? db_query_cell(q, r, 2) : "");
    snprintf(cr->api_secret, sizeof cr->api_secret, "%s", db_query_cell(q, r, 3) ? db_query_cell(q, r, 3) : "");
    snprintf(cr->kraken_account_type, sizeof cr->kraken_account_type, "%s", db_query_cell(q, r, 4) ? db_query_cell(q, r, 4) : "starter");
    snprintf(cr->binance_markets, sizeof cr->binance_markets, "%s", db_query_cell(q, r, 5) ? db_query_cell(q, r, 5) : "");
    return ex;
}

#define X_DB(t, x, jobp) WAIT_DB((t), (x), (x)->job_done, (jobp))

static void wake_owner(xreq_t *x) { loop_task_wake(&x->task, LOOP_WAKE_DONE); }

/* ------------------------------------------------------------------ GET /exchanges */
#define LIST_SQL                                                                                        \
    "SELECT c.name, c.location, (SELECT setting_value FROM user_credentials_mappings m WHERE "         \
    "m.credential_name = c.name AND m.credential_location = c.location AND "                          \
    "m.setting_name = 'kraken_account_type') FROM user_credentials c WHERE c.location IN ('B', 'E') " \
    "ORDER BY c.location, c.name"

void exchanges_list_query_init(db_query_t *q, void (*done)(db_job_t *), void *ud) { db_query_init(q, LIST_SQL, done, ud); }

void exchanges_write_list(json_writer_t *w, const db_query_t *q)
{
    json_begin_array(w);
    for (size_t r = 0; r < q->nrows; r++) {
        const exchange_t *ex = exchange_by_code(db_query_cell(q, r, 1));
        if (!ex) continue;
        json_begin_object(w);
        json_write_key(w, "location");
        json_write_str(w, ex->location);
        json_write_key(w, "name");
        json_write_str(w, db_query_cell(q, r, 0));
        if (ex == &exchange_kraken) {
            const char *t = db_query_cell(q, r, 2);
            json_write_key(w, "kraken_account_type");
            json_write_str(w, t ? t : "starter");
        }
        json_end_object(w);
    }
    json_end_array(w);
}

static void list_done(db_job_t *j)
{
    xreq_t *x = j->ud;
    if (j->rc != DB_JOB_DONE) {
        api_reply_error(x->req, 409, "Could not read the exchanges: %s", j->errmsg);
    } else {
        exchanges_write_list(api_reply_begin(x->req), &x->q);
        api_reply_end(x->req, 200, "");
    }
    xreq_free(x);
}

static int api_exchanges_list(api_req_t *req)
{
    if (auth_require_user(req)) return API_DONE;
    xreq_t *x = xreq_new(req);
    if (!x) return API_DONE;
    exchanges_list_query_init(&x->q, list_done, x);
    auth_submit(req, &x->q.job);
    return API_PENDING;
}

/* ------------------------------------------------------------------ PUT / PATCH /exchanges */
static int str_field(api_req_t *req, int obj, const char *key, int required, char *out, size_t outlen)
{
    int t = json_obj_get(&req->doc, obj, key);
    if (t < 0 || json_is_null(&req->doc, t)) {
        if (required) api_reply_error(req, 400, "{\"%s\": [\"Missing data for required field.\"]}", key);
        return required ? -1 : 0;
    }
    size_t n;
    if (json_get_str(&req->doc, t, out, outlen, &n) != JSON_OK || (required && n == 0) || strlen(out) != n) {
        api_reply_error(req, 400, "{\"%s\": [\"Not a valid string or too long.\"]}", key);
        return -1;
    }
    return 1;
}

/* The optional extras: kraken_account_type, binance_markets. -1 with a 400 sent. */
static int parse_extras(api_req_t *req, int obj, xreq_t *x)
{
    int r = str_field(req, obj, "kraken_account_type", 0, x->cr.kraken_account_type, sizeof x->cr.kraken_account_type);
    if (r < 0) return -1;
    x->has_tier = r;
    if (r && strcmp(x->cr.kraken_account_type, "starter") && strcmp(x->cr.kraken_account_type, "intermediate") &&
        strcmp(x->cr.kraken_account_type, "pro")) {
        api_reply_error(req, 400, "{\"kraken_account_type\": [\"Must be one of: starter, intermediate, pro.\"]}");
        return -1;
    }
    int m = json_obj_get(&req->doc, obj, "binance_markets");
    if (m >= 0 && !json_is_null(&req->doc, m)) {
        const char *raw;
        size_t n;
        if (json_type(&req->doc, m) != JSON_ARRAY || json_child_count(&req->doc, m) > 16 ||
            json_get_raw(&req->doc, m, &raw, &n) != JSON_OK || n >= sizeof x->cr.binance_markets) {
            api_reply_error(req, 400, "{\"binance_markets\": [\"Must be a list of at most 16 market symbols.\"]}");
            return -1;
        }
        for (int e = json_first(&req->doc, m); e >= 0; e = json_sibling(&req->doc, e))
            if (json_type(&req->doc, e) != JSON_STRING) {
                api_reply_error(req, 400, "{\"binance_markets\": [\"Must be a list of market symbols.\"]}");
                return -1;
            }
        memcpy(x->cr.binance_markets, raw, n);
        x->cr.binance_markets[n] = 0;
        x->has_markets = 1;
    }
    return 0;
}

static void add_mappings(db_batch_t *b, xreq_t *x, const char *name, const char *code)
{
    if (x->has_tier) {
        db_stmt_t *s = db_batch_add(b, "INSERT OR REPLACE INTO user_credentials_mappings(credential_name, credential_location, "
                                       "setting_name, setting_value) VALUES (?, ?, 'kraken_account_type', ?)");
        db_stmt_param(s, name);
        db_stmt_param(s, code);
        db_stmt_param(s, x->cr.kraken_account_type);
    }
    if (x->has_markets) {
        db_stmt_t *s = db_batch_add(b, "INSERT OR REPLACE INTO user_credentials_mappings(credential_name, credential_location, "
                                       "setting_name, setting_value) VALUES (?, ?, 'binance_selected_trade_pairs', ?)");
        db_stmt_param(s, name);
        db_stmt_param(s, code);
        db_stmt_param(s, x->cr.binance_markets);
    }
}

static void validate_done(xreq_t *x) { wake_owner(x); }

static char code_of(const xreq_t *x) { return exchange_by_name(x->cr.location)->db_code; }

/* PUT: validate the keys with a real signed call, then store them. PATCH: load, change,
 * validate when keys changed, store. */
static int edit_pt(loop_task_t *t)
{
    xreq_t *x = t->ud;
    PT_BEGIN(&t->pt);
    x->code[0] = code_of(x);
    x->code[1] = 0;
    db_query_init(&x->q, CREDS_SQL, flag_done, &x->job_done);
    X_DB(t, x, &x->q.job);
    if (!x->job_done || x->q.job.rc != DB_JOB_DONE) {
        x->status = 409;
        snprintf(x->msg, sizeof x->msg, "Could not read the exchanges");
        PT_EXIT(&t->pt);
    }
    {
        int found = -1, clash = 0;
        for (size_t r = 0; r < x->q.nrows; r++) {
            exch_creds_t cr;
            if (!creds_from_row(&x->q, r, &cr) || strcmp(cr.location, x->cr.location)) continue;
            if (!strcmp(cr.name, x->old_name)) found = (int)r;
            if (x->have_new_name && !strcmp(cr.name, x->new_name) && strcmp(x->new_name, x->old_name)) clash = 1;
        }
        if (x->kind == API_PUT && found >= 0) {
            x->status = 409;
            snprintf(x->msg, sizeof x->msg, "%s exchange %s is already registered", x->cr.location, x->old_name);
            PT_EXIT(&t->pt);
        }
        if (x->kind == API_PATCH) {
            if (found < 0) {
                x->status = 409;
                snprintf(x->msg, sizeof x->msg, "Could not find %s exchange %s to edit", x->cr.location, x->old_name);
                PT_EXIT(&t->pt);
            }
            if (clash) {
                x->status = 409;
                snprintf(x->msg, sizeof x->msg, "%s exchange %s already exists", x->cr.location, x->new_name);
                PT_EXIT(&t->pt);
            }
            exch_creds_t cur;
            creds_from_row(&x->q, (size_t)found, &cur);
            if (!x->cr.api_key[0]) snprintf(x->cr.api_key, sizeof x->cr.api_key, "%s", cur.api_key);
            if (!x->cr.api_secret[0]) snprintf(x->cr.api_secret, sizeof x->cr.api_secret, "%s", cur.api_secret);
            if (!x->has_tier) snprintf(x->cr.kraken_account_type, sizeof x->cr.kraken_account_type, "%s", cur.kraken_account_type);
            if (!x->has_markets) snprintf(x->cr.binance_markets, sizeof x->cr.binance_markets, "%s", cur.binance_markets);
        }
    }
    db_query_clear(&x->q);
    if (x->kind == API_PUT || x->keys_changed) {
        x->all_done = validate_done;
        snprintf(x->cr.name, sizeof x->cr.name, "%s", x->old_name);
        if (start_run(x, exchange_by_name(x->cr.location), &x->cr, EXCH_VALIDATE)) {
            x->status = 503;
            snprintf(x->msg, sizeof x->msg, "The node is out of memory for this request");
            PT_EXIT(&t->pt);
        }
        t->wake = 0;
        PT_WAIT_UNTIL(&t->pt, x->pending == 0);
        if (x->runs[0]->op.status) {
            x->status = x->runs[0]->op.status;
            snprintf(x->msg, sizeof x->msg, "Provided API Key or secret is invalid. %s", x->runs[0]->op.msg);
            PT_EXIT(&t->pt);
        }
    }
    db_batch_init(&x->b, flag_done, &x->job_done);
    if (x->kind == API_PUT) {
        db_stmt_t *s = db_batch_add(&x->b, "INSERT INTO user_credentials(name, location, api_key, api_secret) VALUES (?, ?, ?, ?)");
        db_stmt_param(s, x->old_name);
        db_stmt_param(s, x->code);
        db_stmt_param(s, x->cr.api_key);
        db_stmt_param(s, x->cr.api_secret);
        if (!x->has_tier && exchange_by_name(x->cr.location) == &exchange_kraken) {
            snprintf(x->cr.kraken_account_type, sizeof x->cr.kraken_account_type, "starter");
            x->has_tier = 1;
        }
        add_mappings(&x->b, x, x->old_name, x->code);
    } else {
        const char *name = x->have_new_name ? x->new_name : x->old_name;
        db_stmt_t *s = db_batch_add(&x->b, "UPDATE user_credentials SET name = ?, api_key = ?, api_secret = ? WHERE name = ? AND location = ?");
        db_stmt_param(s, name);
        db_stmt_param(s, x->cr.api_key);
        db_stmt_param(s, x->cr.api_secret);
        db_stmt_param(s, x->old_name);
        db_stmt_param(s, x->code);
        add_mappings(&x->b, x, name, x->code);
        if (x->have_new_name) { /* the history range follows the account */
            snprintf(x->range_old, sizeof x->range_old, "%s_history_events_%s", x->cr.location, x->old_name);
            snprintf(x->range_new, sizeof x->range_new, "%s_history_events_%s", x->cr.location, x->new_name);
            s = db_batch_add(&x->b, "UPDATE used_query_ranges SET name = ? WHERE name = ?");
            db_stmt_param(s, x->range_new);
            db_stmt_param(s, x->range_old);
        }
    }
    db_batch_add(&x->b, userdb_sql_touch);
    X_DB(t, x, &x->b.job);
    x->msg[0] = 0;
    if (!x->job_done || x->b.job.rc != DB_JOB_DONE) {
        x->status = 409;
        snprintf(x->msg, sizeof x->msg, "Could not store the exchange: %s", x->job_done ? x->b.job.errmsg : "the user logged out");
    }
    PT_END(&t->pt);
}

static void edit_end(loop_task_t *t)
{
    xreq_t *x = t->ud;
    if (x->status) api_reply_error(x->req, x->status, "%s", x->msg);
    else api_reply_true(x->req);
    xreq_free(x);
}

static int api_exchanges_edit(api_req_t *req)
{
    if (auth_require_user(req)) return API_DONE;
    static const char *const put_keys[] = {"name", "location", "api_key", "api_secret", "passphrase", "kraken_account_type",
                                           "binance_markets", "binance_history_start_ts", "okx_location", "gate_location", NULL};
    static const char *const patch_keys[] = {"name", "location", "new_name", "api_key", "api_secret", "passphrase",
                                             "kraken_account_type", "binance_markets", "binance_history_start_ts", NULL};
    int obj;
    if (api_body_object(req, &obj) || api_body_only(req, obj, req->method == API_PUT ? put_keys : patch_keys)) return API_DONE;
    if (obj < 0) {
        api_reply_error(req, 400, "{\"name\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    xreq_t *x = xreq_new(req);
    if (!x) return API_DONE;
    x->kind = req->method;
    int put = req->method == API_PUT, r;
    if (str_field(req, obj, "name", 1, x->old_name, sizeof x->old_name) < 0 ||
        str_field(req, obj, "location", 1, x->cr.location, sizeof x->cr.location) < 0)
        goto bad;
    if (!exchange_by_name(x->cr.location)) {
        api_reply_error(req, 400, "{\"location\": [\"Unsupported exchange %s: pipit has kraken and binance.\"]}", x->cr.location);
        goto bad;
    }
    if ((r = str_field(req, obj, "api_key", put, x->cr.api_key, sizeof x->cr.api_key)) < 0) goto bad;
    x->keys_changed |= r;
    if ((r = str_field(req, obj, "api_secret", put, x->cr.api_secret, sizeof x->cr.api_secret)) < 0) goto bad;
    x->keys_changed |= r;
    if (!put && (r = str_field(req, obj, "new_name", 0, x->new_name, sizeof x->new_name)) < 0) goto bad;
    x->have_new_name = !put && r > 0 && x->new_name[0];
    if (parse_extras(req, obj, x)) goto bad;
    loop_task_start(xs.loop, &x->task, edit_pt, edit_end, x);
    x->task.name = "exchange_edit";
    return API_PENDING;
bad:
    xreq_free(x);
    return API_DONE;
}

/* ------------------------------------------------------------------ DELETE /exchanges */
static void delete_done(db_job_t *j)
{
    xreq_t *x = j->ud;
    if (j->rc != DB_JOB_DONE) api_reply_error(x->req, 409, "Could not remove the exchange: %s", j->errmsg);
    else if (x->b.stmts[0].changes == 0)
        api_reply_error(x->req, 409, "%s exchange %s is not registered", x->cr.location, x->cr.name);
    else {
        for (int i = 0; i < MAX_ACCOUNTS; i++)
            if (!strcmp(xs.cache[i].location, x->cr.location) && !strcmp(xs.cache[i].name, x->cr.name)) {
                alloc_free(xs.cache[i].bal);
                memset(&xs.cache[i], 0, sizeof xs.cache[i]);
            }
        api_reply_true(x->req);
    }
    xreq_free(x);
}

static int api_exchanges_delete(api_req_t *req)
{
    if (auth_require_user(req)) return API_DONE;
    static const char *const keys[] = {"name", "location", NULL};
    int obj;
    if (api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    if (obj < 0) {
        api_reply_error(req, 400, "{\"name\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    xreq_t *x = xreq_new(req);
    if (!x) return API_DONE;
    if (str_field(req, obj, "name", 1, x->cr.name, sizeof x->cr.name) < 0 ||
        str_field(req, obj, "location", 1, x->cr.location, sizeof x->cr.location) < 0) {
        xreq_free(x);
        return API_DONE;
    }
    const exchange_t *ex = exchange_by_name(x->cr.location);
    if (!ex) {
        api_reply_error(req, 400, "{\"location\": [\"Unsupported exchange %s.\"]}", x->cr.location);
        xreq_free(x);
        return API_DONE;
    }
    x->code[0] = ex->db_code;
    db_batch_init(&x->b, delete_done, x);
    db_stmt_t *s = db_batch_add(&x->b, "DELETE FROM user_credentials WHERE name = ? AND location = ?");
    db_stmt_param(s, x->cr.name);
    db_stmt_param(s, x->code);
    snprintf(x->range_old, sizeof x->range_old, "%s_history_events_%s", x->cr.location, x->cr.name);
    s = db_batch_add(&x->b, "DELETE FROM used_query_ranges WHERE name = ?");
    db_stmt_param(s, x->range_old);
    db_batch_add(&x->b, userdb_sql_touch);
    auth_submit(req, &x->b.job);
    return API_PENDING;
}

/* ------------------------------------------------------------------ balances */
static cached_t *cache_slot(const exch_creds_t *cr, int create)
{
    const char *u = auth_user();
    cached_t *free_slot = NULL;
    for (int i = 0; i < MAX_ACCOUNTS; i++) {
        cached_t *c = &xs.cache[i];
        if (c->location[0] && !strcmp(c->location, cr->location) && !strcmp(c->name, cr->name) && u && !strcmp(c->user, u))
            return c;
        if (!c->location[0] && !free_slot) free_slot = c;
    }
    if (!create || !free_slot || !u) return NULL;
    snprintf(free_slot->location, sizeof free_slot->location, "%s", cr->location);
    snprintf(free_slot->name, sizeof free_slot->name, "%s", cr->name);
    snprintf(free_slot->user, sizeof free_slot->user, "%s", u);
    return free_slot;
}

static void all_runs_done(xreq_t *x) { wake_owner(x); }

/* After the credentials' read: 1 (x->status set) when it failed. */
static int creds_unread(xreq_t *x)
{
    if (x->job_done && x->q.job.rc == DB_JOB_DONE) return 0;
    x->status = 409;
    snprintf(x->msg, sizeof x->msg, "Could not read the exchanges");
    return 1;
}

/* Reads the accounts into x->q (the protothread ends on failure); their runs wake it. */
#define X_READ_ACCOUNTS(t, x)                                                                          \
    do {                                                                                               \
        db_query_init(&(x)->q, CREDS_SQL, flag_done, &(x)->job_done);                                            \
        X_DB((t), (x), &(x)->q.job);                                                                   \
        if (creds_unread(x)) PT_EXIT(&(t)->pt);                                                        \
        (x)->all_done = all_runs_done;                                                                 \
    } while (0)

/* Row r as an account this request covers (its location filter), else NULL. */
static const exchange_t *account_of(const xreq_t *x, size_t r, exch_creds_t *cr)
{
    const exchange_t *ex = creds_from_row(&x->q, r, cr);
    return ex && (!x->loc_filter_set || !strcmp(cr->location, x->loc_filter)) ? ex : NULL;
}

static int collect_assets(xreq_t *x)
{
    size_t n = 0;
    for (int i = 0; i < x->nruns; i++) n += x->runs[i]->op.nbal;
    x->assets = alloc_get(ALLOC_CLIENT, (n ? n : 1) * sizeof *x->assets);
    if (!x->assets) return -1;
    x->nassets = 0;
    for (int i = 0; i < x->nruns; i++)
        for (size_t k = 0; k < x->runs[i]->op.nbal; k++) {
            const char *a = x->runs[i]->op.bal[k].asset;
            size_t j = 0;
            while (j < x->nassets && strcmp(x->assets[j], a)) j++;
            if (j == x->nassets) x->assets[x->nassets++] = a;
        }
    return 0;
}

static void prices_done(prices_query_t *q)
{
    xreq_t *x = q->ud;
    wake_owner(x);
}

static const char *price_of(const xreq_t *x, const char *asset) { return prices_usd_of(&x->pq, asset); }

static int balances_pt(loop_task_t *t)
{
    xreq_t *x = t->ud;
    PT_BEGIN(&t->pt);
    X_READ_ACCOUNTS(t, x);
    for (size_t r = 0; r < x->q.nrows; r++) {
        exch_creds_t cr;
        const exchange_t *ex = account_of(x, r, &cr);
        if (!ex) continue;
        cached_t *c = cache_slot(&cr, 0);
        run_t *run;
        if (c && !x->ignore_cache && now_s() - c->ts < BALANCE_CACHE_S) { /* fresh: a finished run from the cache */
            if (!(run = alloc_zget(ALLOC_CLIENT, sizeof *run)) || x->nruns == MAX_ACCOUNTS) {
                alloc_free(run);
                continue;
            }
            run->owner = x;
            run->from_cache = 1;
            run->op.ex = ex;
            run->op.cr = cr;
            for (size_t k = 0; k < c->n; k++) exch_add_balance(&run->op, c->bal[k].asset, c->bal[k].amount);
            x->runs[x->nruns++] = run;
            continue;
        }
        if (start_run(x, ex, &cr, EXCH_BALANCES)) {
            x->status = 503;
            snprintf(x->msg, sizeof x->msg, "The node is out of memory for this request");
        }
    }
    db_query_clear(&x->q);
    if (x->loc_filter_set && !x->nruns && !x->status) {
        x->status = 409;
        snprintf(x->msg, sizeof x->msg, "%s exchange is not registered", x->loc_filter);
    }
    PT_WAIT_UNTIL(&t->pt, x->pending == 0);
    for (int i = 0; i < x->nruns; i++) {
        exch_op_t *op = &x->runs[i]->op;
        if (op->status && !x->status) {
            x->status = op->status == 503 ? 503 : 502;
            snprintf(x->msg, sizeof x->msg, "%s %s: %s", op->cr.location, op->cr.name, op->msg);
        }
        if (!op->status && !x->runs[i]->from_cache) { /* queried now: keep for the cache */
            cached_t *c = cache_slot(&op->cr, 1);
            if (c) {
                alloc_free(c->bal);
                c->bal = op->bal;
                c->n = op->nbal;
                c->ts = now_s();
                op->bal = alloc_get(ALLOC_CLIENT, (op->nbal ? op->nbal : 1) * sizeof *op->bal);
                if (op->bal) memcpy(op->bal, c->bal, op->nbal * sizeof *op->bal);
                else op->nbal = 0;
            }
        }
    }
    if (x->status) PT_EXIT(&t->pt);
    if (collect_assets(x)) {
        x->status = 503;
        snprintf(x->msg, sizeof x->msg, "The node is out of memory for this request");
        PT_EXIT(&t->pt);
    }
    x->pq.assets = x->assets;
    x->pq.n = x->nassets;
    x->pq.done = prices_done;
    x->pq.ud = x;
    t->wake = 0;
    prices_query_start(&x->pq);
    PT_WAIT_UNTIL(&t->pt, t->wake & LOOP_WAKE_DONE);
    PT_END(&t->pt);
}

/* {location: {asset: {"amount", "value"}}} summed over a location's accounts, or for one
 * location just {asset: …}. */
static void write_balances(xreq_t *x, json_writer_t *w)
{
    json_begin_object(w);
    for (size_t e = 0; e < N_EXCHANGES; e++) {
        const char *loc = all_exchanges[e]->location;
        int any = 0;
        for (int i = 0; i < x->nruns; i++) any |= !strcmp(x->runs[i]->op.cr.location, loc);
        if (!any || (x->loc_filter_set && strcmp(loc, x->loc_filter))) continue;
        if (!x->loc_filter_set) {
            json_write_key(w, loc);
            json_begin_object(w);
        }
        /* sum per asset across the location's accounts, in first-seen order */
        for (int i = 0; i < x->nruns; i++) {
            exch_op_t *op = &x->runs[i]->op;
            if (strcmp(op->cr.location, loc)) continue;
            for (size_t k = 0; k < op->nbal; k++) {
                const char *asset = op->bal[k].asset;
                int seen = 0;
                for (int i2 = 0; i2 <= i && !seen; i2++) {
                    exch_op_t *o2 = &x->runs[i2]->op;
                    if (strcmp(o2->cr.location, loc)) continue;
                    for (size_t k2 = 0; k2 < (i2 == i ? k : o2->nbal) && !seen; k2++) seen = !strcmp(o2->bal[k2].asset, asset);
                }
                if (seen) continue;
                char sum[80] = "0", value[80];
                for (int i2 = i; i2 < x->nruns; i2++) {
                    exch_op_t *o2 = &x->runs[i2]->op;
                    if (strcmp(o2->cr.location, loc)) continue;
                    for (size_t k2 = 0; k2 < o2->nbal; k2++)
                        if (!strcmp(o2->bal[k2].asset, asset)) {
                            char t2[80];
                            if (dec_add(sum, o2->bal[k2].amount, t2, sizeof t2) == 0) snprintf(sum, sizeof sum, "%s", t2);
                        }
                }
                if (prices_value(sum, price_of(x, asset), value, sizeof value)) snprintf(value, sizeof value, "0");
                json_write_key(w, asset);
                json_begin_object(w);
                json_write_key(w, "amount");
                json_write_str(w, sum);
                json_write_key(w, "value");
                json_write_str(w, value);
                json_end_object(w);
            }
        }
        if (!x->loc_filter_set) json_end_object(w);
    }
    json_end_object(w);
}

static void balances_end(loop_task_t *t)
{
    xreq_t *x = t->ud;
    if (x->status) {
        api_reply_error(x->req, x->status, "%s", x->msg);
    } else {
        write_balances(x, api_reply_begin(x->req));
        api_reply_end(x->req, 200, "");
    }
    xreq_free(x);
}

static int api_exchange_balances(api_req_t *req)
{
    if (auth_require_user(req)) return API_DONE;
    static const char *const keys[] = {"async_query", "ignore_cache", "value_threshold", "location", NULL};
    int obj;
    if (api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    xreq_t *x = xreq_new(req);
    if (!x) return API_DONE;
    if (api_arg_bool(req, "ignore_cache", 0, &x->ignore_cache) < 0) {
        xreq_free(x);
        return API_DONE;
    }
    const char *loc = api_path_param(req, "location");
    if (loc) {
        if (!exchange_by_name(loc)) {
            api_reply_error(req, 400, "Unsupported exchange %s: pipit has kraken and binance", loc);
            xreq_free(x);
            return API_DONE;
        }
        x->loc_filter_set = 1;
        snprintf(x->loc_filter, sizeof x->loc_filter, "%s", loc);
    }
    loop_task_start(xs.loop, &x->task, balances_pt, balances_end, x);
    x->task.name = "exchange_balances";
    return API_PENDING;
}

/* ------------------------------------------------------------------ history refresh */
static int refresh_pt(loop_task_t *t)
{
    xreq_t *x = t->ud;
    PT_BEGIN(&t->pt);
    X_READ_ACCOUNTS(t, x);
    for (size_t r = 0; r < x->q.nrows; r++) {
        exch_creds_t cr;
        const exchange_t *ex = account_of(x, r, &cr);
        if (!ex) continue;
        if (start_run(x, ex, &cr, EXCH_HISTORY)) {
            x->status = 503;
            snprintf(x->msg, sizeof x->msg, "The node is out of memory for this request");
        }
    }
    db_query_clear(&x->q);
    PT_WAIT_UNTIL(&t->pt, x->pending == 0);
    for (int i = 0; i < x->nruns; i++) {
        exch_op_t *op = &x->runs[i]->op;
        if (!op->status) continue;
        size_t used = strlen(x->msg);
        if (!x->status) x->status = op->status == 503 ? 503 : 502;
        snprintf(x->msg + used, sizeof x->msg - used, "%s%s %s: %s", used ? "; " : "", op->cr.location, op->cr.name, op->msg);
    }
    PT_END(&t->pt);
}

static void refresh_end(loop_task_t *t)
{
    xreq_t *x = t->ud;
    xs.refreshing = 0;
    if (x->req) {
        if (x->status) api_reply_error(x->req, x->status, "%s", x->msg);
        else api_reply_true(x->req);
    } else if (x->status) {
        log_error("exchange history refresh: %s", x->msg);
    }
    if (!x->req && x->finished) x->finished(x->finished_ud, x->status ? x->msg : NULL);
    xreq_free(x);
}

static xreq_t *start_refresh(api_req_t *req, const char *location)
{
    xreq_t *x = xreq_new(req);
    if (!x) return NULL;
    if (location) {
        x->loc_filter_set = 1;
        snprintf(x->loc_filter, sizeof x->loc_filter, "%s", location);
    }
    xs.refreshing = 1;
    loop_task_start(xs.loop, &x->task, refresh_pt, refresh_end, x);
    x->task.name = "exchange_history";
    return x;
}

/* POST /api/1/history/events/query {"query_type": "exchanges", "location"?} */
static int api_history_query(api_req_t *req)
{
    if (auth_require_user(req)) return API_DONE;
    static const char *const keys[] = {"async_query", "query_type", "location", NULL};
    int obj;
    char type[32] = "", loc[16] = "";
    if (api_body_object(req, &obj) || api_body_only(req, obj, keys)) return API_DONE;
    if (obj < 0 || str_field(req, obj, "query_type", 1, type, sizeof type) < 0) {
        if (obj < 0) api_reply_error(req, 400, "{\"query_type\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    if (strcmp(type, "exchanges")) {
        api_reply_error(req, 400, "{\"query_type\": [\"pipit refreshes query_type exchanges only so far.\"]}");
        return API_DONE;
    }
    int r = str_field(req, obj, "location", 0, loc, sizeof loc);
    if (r < 0) return API_DONE;
    if (r && !exchange_by_name(loc)) {
        api_reply_error(req, 400, "{\"location\": [\"Unsupported exchange %s.\"]}", loc);
        return API_DONE;
    }
    return start_refresh(req, r ? loc : NULL) ? API_PENDING : API_DONE;
}

/* The orchestrator's periodic run (no request): finished(ud, error) when done. */
int exchanges_history_refresh(void (*finished)(void *ud, const char *error), void *ud)
{
    if (xs.refreshing || !auth_db()) return -1;
    xreq_t *x = xreq_new(NULL);
    if (!x) return -1;
    x->finished = finished;
    x->finished_ud = ud;
    xs.refreshing = 1;
    loop_task_start(xs.loop, &x->task, refresh_pt, refresh_end, x);
    x->task.name = "exchange_history";
    return 0;
}

/* ------------------------------------------------------------------ for /balances (userhub) */
static void balances_ext_end(loop_task_t *t)
{
    xreq_t *x = t->ud;
    if (x->finished) x->finished(x->finished_ud, x->status ? x->msg : NULL);
    xreq_free(x);
}

/* Brings every account's cached balances up to date (those older than BALANCE_CACHE_S, or all
 * with ignore_cache). */
static int balances_refresh(int ignore_cache, void (*finished)(void *ud, const char *error), void *ud)
{
    if (!auth_db()) return -1;
    xreq_t *x = xreq_new(NULL);
    if (!x) return -1;
    x->ignore_cache = ignore_cache;
    x->finished = finished;
    x->finished_ud = ud;
    loop_task_start(xs.loop, &x->task, balances_pt, balances_ext_end, x);
    x->task.name = "exchange_balances";
    return 0;
}

/* Every cached balance of the logged-in user's accounts. */
static void balances_each(userhub_balance_fn fn, void *ud)
{
    const char *u = auth_user();
    for (int i = 0; i < MAX_ACCOUNTS; i++) {
        cached_t *c = &xs.cache[i];
        if (!c->location[0] || !u || strcmp(c->user, u)) continue;
        for (size_t k = 0; k < c->n; k++) fn(c->location, c->bal[k].asset, c->bal[k].amount, 0, ud);
    }
}

static void cache_drop(const char *user)
{
    for (int i = 0; i < MAX_ACCOUNTS; i++) {
        cached_t *c = &xs.cache[i];
        if (!c->location[0] || (user && strcmp(c->user, user))) continue;
        alloc_free(c->bal);
        memset(c, 0, sizeof *c);
    }
}

/* a logout drops the user's cached balances (they are the user's, and heap) */
static void session_logging_out(const char *user) { cache_drop(user); }

static const userhub_login_part_t login_part = {"exchanges", "exchanges", exchanges_list_query_init, exchanges_write_list};
static const userhub_session_t session = {NULL, session_logging_out};
static const userhub_balances_t balances = {"exchange", balances_refresh, balances_each};

static const api_route_t routes[] = {
    {API_GET, "/api/1/exchanges", api_exchanges_list, NULL, 0},
    {API_PUT, "/api/1/exchanges", api_exchanges_edit, NULL, 0},
    {API_PATCH, "/api/1/exchanges", api_exchanges_edit, NULL, 0},
    {API_DELETE, "/api/1/exchanges", api_exchanges_delete, NULL, 0},
    {API_GET, "/api/1/exchanges/balances", api_exchange_balances, NULL, API_ASYNC},
    {API_GET, "/api/1/exchanges/balances/<location>", api_exchange_balances, NULL, API_ASYNC},
    {API_POST, "/api/1/history/events/query", api_history_query, NULL, API_ASYNC},
};

int exchanges_init(const config_t *cfg, loop_t *loop)
{
    memset(&xs, 0, sizeof xs);
    xs.loop = loop;
    xs.cfg = cfg;
    return userhub_add_login_part(&login_part) || userhub_add_session(&session) || userhub_add_balances(&balances) ||
           api_add_routes(routes, sizeof routes / sizeof routes[0]);
}

void exchanges_shutdown(void) { cache_drop(NULL); }
