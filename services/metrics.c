/* metrics — see metrics.h. Everything is read from the owners' counters at scrape time. */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/log.h"
#include "../db/db.h"
#include "api.h"
#include "auth.h"
#include "chain/rpc.h"
#include "httpc.h"
#include "notifier.h"
#include "tasks.h"
#if defined(PIPIT_PAL_FAULTS)
#include "../platform/pal_fault.h"
#endif

static loop_t *loop;

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} text_t;

PIPIT_PRINTF(2, 3)
static void out(text_t *t, const char *fmt, ...)
{
    if (t->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n;
        char *nb = alloc_reget(ALLOC_HTTP, t->buf, cap);
        if (!nb) {
            t->failed = 1;
            return;
        }
        t->buf = nb;
        t->cap = cap;
    }
}

static void family(text_t *t, const char *name, const char *type, const char *help)
{
    out(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one unlabelled sample. */
static void scalar(text_t *t, const char *name, const char *type, const char *help, double v)
{
    family(t, name, type, help);
    out(t, "%s %.17g\n", name, v);
}

enum { HEAP_LIVE, HEAP_PEAK, HEAP_FAILURES };

/* One sample per allocator tag. */
static void heap_family(text_t *t, const char *name, const char *type, const char *help, int which)
{
    family(t, name, type, help);
    for (int g = 0; g < ALLOC_TAG_COUNT; g++) {
        alloc_stats_t as;
        alloc_tag_stats((alloc_tag_t)g, &as);
        double v = which == HEAP_LIVE ? (double)as.live : which == HEAP_PEAK ? (double)as.peak : (double)as.failures;
        out(t, "%s{tag=\"%s\"} %.17g\n", name, alloc_tag_name((alloc_tag_t)g), v);
    }
}

static void route_counts(const api_route_stats_t *s, void *ud)
{
    for (int c = 1; c <= 5; c++)
        if (s->by_class[c])
            out(ud, "pipit_http_requests_total{route=\"%s\",method=\"%s\",code=\"%dxx\"} %llu\n", s->route,
                api_method_name(s->method), c, (unsigned long long)s->by_class[c]);
}

static void route_latency(const api_route_stats_t *s, void *ud)
{
    uint64_t cum = 0;
    const char *m = api_method_name(s->method);
    for (int b = 0; b <= API_LATENCY_BUCKETS; b++) {
        cum += s->buckets[b];
        if (b < API_LATENCY_BUCKETS)
            out(ud, "pipit_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n", s->route, m,
                api_latency_bounds_s[b], (unsigned long long)cum);
        else
            out(ud, "pipit_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n", s->route, m,
                (unsigned long long)cum);
    }
    out(ud, "pipit_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n", s->route, m, s->sum_s);
    out(ud, "pipit_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n", s->route, m,
        (unsigned long long)s->count);
}

static int api_metrics(api_req_t *req)
{
    text_t t = {alloc_get(ALLOC_HTTP, 8192), 0, 8192, 0};
    if (!t.buf) {
        api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
        return API_DONE;
    }
    family(&t, "pipit_http_requests_total", "counter", "HTTP requests answered, by route, method and status class.");
    api_route_stats_each(route_counts, &t);
    family(&t, "pipit_http_request_duration_seconds", "histogram", "Time from a request's arrival to its reply.");
    api_route_stats_each(route_latency, &t);

    loop_stats_t ls;
    loop_get_stats(loop, &ls);
    family(&t, "pipit_loop_turn_duration_seconds", "histogram", "Work done in one turn of the poll loop (a long turn delays everyone).");
    uint64_t cum = 0;
    for (int b = 0; b <= LOOP_TURN_BUCKETS; b++) {
        cum += ls.turn_buckets[b];
        if (b < LOOP_TURN_BUCKETS)
            out(&t, "pipit_loop_turn_duration_seconds_bucket{le=\"%g\"} %llu\n", (double)loop_turn_bounds_us[b] / 1e6,
                (unsigned long long)cum);
        else
            out(&t, "pipit_loop_turn_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    out(&t, "pipit_loop_turn_duration_seconds_sum %.6f\npipit_loop_turn_duration_seconds_count %llu\n",
        (double)ls.turn_sum_us / 1e6, (unsigned long long)ls.turns);
    scalar(&t, "pipit_loop_slow_turns_total", "counter", "Loop turns longer than --slow-turn-ms.", (double)ls.slow_turns);
    family(&t, "pipit_loop_longest_turn_seconds", "gauge", "The longest loop turn since start.");
    out(&t, "pipit_loop_longest_turn_seconds %.6f\n", (double)ls.longest_turn_us / 1e6);

    tasks_stats_t ts;
    tasks_get_stats(&ts);
    family(&t, "pipit_tasks", "gauge", "Async tasks by state.");
    out(&t, "pipit_tasks{state=\"pending\"} %u\npipit_tasks{state=\"running\"} %u\npipit_tasks{state=\"completed\"} %u\n",
        ts.queued, ts.running, ts.outcomes_kept);
    scalar(&t, "pipit_tasks_running_max", "gauge", "Most async tasks seen running at once (bounded by --max-tasks).", (double)ts.max_running_seen);
    scalar(&t, "pipit_tasks_submitted_total", "counter", "Async tasks submitted.", (double)ts.submitted);
    scalar(&t, "pipit_tasks_completed_total", "counter", "Async tasks completed.", (double)ts.completed);
    scalar(&t, "pipit_tasks_cancelled_total", "counter", "Async tasks cancelled.", (double)ts.cancelled);

#if defined(PIPIT_PAL_FAULTS)
    family(&t, "pipit_faults_injected_total", "counter", "Faults the fault build injected, by class.");
    for (int c = 0; c < PAL_FAULT_CLASS_COUNT; c++)
        out(&t, "pipit_faults_injected_total{class=\"%s\"} %llu\n", pal_fault_class_name((pal_fault_class_t)c),
            (unsigned long long)pal_fault_count((pal_fault_class_t)c));
#endif
    httpc_stats_t hs;
    rpc_stats_t rs;
    httpc_get_stats(&hs);
    rpc_get_stats(&rs);
    scalar(&t, "pipit_httpc_requests_total", "counter", "Outbound HTTP(S) requests.", (double)hs.requests);
    scalar(&t, "pipit_httpc_failures_total", "counter", "Outbound requests that failed (connection, timeout, size).", (double)hs.failures);
    scalar(&t, "pipit_httpc_connections_total", "counter", "Outbound TCP connections opened (kept-alive reuse not counted).", (double)hs.connections);
    scalar(&t, "pipit_rpc_batches_total", "counter", "JSON-RPC batches sent.", (double)rs.batches);
    scalar(&t, "pipit_rpc_calls_total", "counter", "JSON-RPC calls in those batches.", (double)rs.calls);
    scalar(&t, "pipit_rpc_round_trips_total", "counter", "HTTP requests the batches took, failovers included.", (double)rs.round_trips);
    scalar(&t, "pipit_rpc_failovers_total", "counter", "Times a batch moved on to the next RPC node.", (double)rs.failovers);
    scalar(&t, "pipit_rpc_failed_batches_total", "counter", "Batches every RPC node failed.", (double)rs.failed_batches);

    db_stats_t ds = {0};
    if (auth_db()) db_get_stats(auth_db(), &ds);
    family(&t, "pipit_db_jobs_queued", "gauge", "DB jobs waiting or running, by connection.");
    out(&t, "pipit_db_jobs_queued{conn=\"writer\"} %u\npipit_db_jobs_queued{conn=\"reader\"} %u\n", ds.queued_writes,
        ds.queued_reads);
    family(&t, "pipit_db_jobs_total", "counter", "DB jobs finished in this login, by result.");
    out(&t, "pipit_db_jobs_total{result=\"done\"} %llu\npipit_db_jobs_total{result=\"failed\"} %llu\n",
        (unsigned long long)ds.jobs_done, (unsigned long long)ds.jobs_failed);
    family(&t, "pipit_db_job_wait_seconds_total", "counter", "Time DB jobs spent queued before they ran, in this login.");
    out(&t, "pipit_db_job_wait_seconds_total %.6f\n", (double)ds.wait_us_total / 1e6);
    family(&t, "pipit_db_job_run_seconds_total", "counter", "Time DB jobs spent running, in this login.");
    out(&t, "pipit_db_job_run_seconds_total %.6f\n", (double)ds.run_us_total / 1e6);

    notifier_stats_t ns;
    notifier_get_stats(&ns);
    scalar(&t, "pipit_ws_clients", "gauge", "Open /ws clients.", (double)ns.clients);
    scalar(&t, "pipit_ws_messages_sent_total", "counter", "Notifier messages broadcast.", (double)ns.messages_sent);
    scalar(&t, "pipit_ws_messages_dropped_total", "counter", "Notifier messages dropped (slow or gone clients, no memory).", (double)ns.messages_dropped);
    scalar(&t, "pipit_ws_clients_dropped_total", "counter", "Clients disconnected for falling behind (close 1013).", (double)ns.clients_dropped_slow);

    scalar(&t, "pipit_heap_budget_bytes", "gauge", "The allocator's hard budget (0 = none).", (double)alloc_budget());
    heap_family(&t, "pipit_heap_live_bytes", "gauge", "Bytes allocated now, by subsystem.", HEAP_LIVE);
    heap_family(&t, "pipit_heap_peak_bytes", "gauge", "Most bytes allocated at once, by subsystem.", HEAP_PEAK);
    heap_family(&t, "pipit_heap_failures_total", "counter", "Allocations refused (budget reached), by subsystem.",
                HEAP_FAILURES);
    if (t.failed) api_reply_error(req, 503, "The node is out of memory for this request (heap budget reached); try again shortly");
    else api_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", t.buf, t.len);
    alloc_free(t.buf);
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/metrics", api_metrics, "api.metrics", 0},
};

int metrics_init(loop_t *l)
{
    loop = l;
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}
