/* notifier — see notifier.h. */
#include "notifier.h"

#include <libwebsockets.h>
#include <string.h>

#include "../core/alloc.h"
#include "../core/flags.h"
#include "../core/log.h"
#include "api.h"

#define ECHO_MAX (64 * 1024)
#define FALLBACK_MAX 256 /* messages kept for GET /messages */
#define CLOSE_TRY_AGAIN_LATER 1013

/* One encoded frame shared by every client it was queued for. The allocation is this header,
 * LWS_PRE spare bytes, then the payload (json_writer_take's prefix). */
typedef struct {
    uint32_t refs;
    uint32_t len;
} ws_msg_t;
#define MSG_PREFIX (((sizeof(ws_msg_t) + 15) & ~(size_t)15) + LWS_PRE)
#define MSG_PAYLOAD(m) ((unsigned char *)(m) + MSG_PREFIX)

typedef struct qnode {
    struct qnode *next;
    ws_msg_t *msg;
} qnode_t;

typedef struct client {
    struct lws *wsi;
    struct client *prev, *next;
    qnode_t *head, *tail;
    uint32_t qcount;
    size_t qbytes;
    char *rx; /* echo: the message being received */
    size_t rx_len;
    int close_code; /* nonzero: close with it at the next writeable */
    const char *close_reason;
} client_t;

static const config_t *cfg;
static client_t *clients;
static notifier_stats_t stats;
static int flag_notifier;

/* rotki's /messages fallback: warnings (text) and errors (text or whole envelopes) */
typedef struct {
    char *items[FALLBACK_MAX];
    int head, count;
} ring_t;
static ring_t warnings, errors;

static void ring_push(ring_t *r, const char *s, size_t n)
{
    char *copy = alloc_strndup(ALLOC_WS, s, n);
    if (!copy) return; /* out of memory: the message is lost, counted as dropped */
    if (r->count == FALLBACK_MAX) { /* drop the oldest */
        alloc_free(r->items[r->head]);
        r->head = (r->head + 1) % FALLBACK_MAX;
        r->count--;
        stats.messages_dropped++;
    }
    r->items[(r->head + r->count) % FALLBACK_MAX] = copy;
    r->count++;
}

static void ring_clear(ring_t *r)
{
    while (r->count) {
        alloc_free(r->items[r->head]);
        r->head = (r->head + 1) % FALLBACK_MAX;
        r->count--;
    }
    r->head = 0;
}

static void msg_unref(ws_msg_t *m)
{
    if (m && --m->refs == 0) alloc_free(m);
}

static void client_drop_queue(client_t *c)
{
    while (c->head) {
        qnode_t *n = c->head;
        c->head = n->next;
        msg_unref(n->msg);
        alloc_free(n);
    }
    c->tail = NULL;
    c->qcount = 0;
    c->qbytes = 0;
}

static void client_close(client_t *c, int code, const char *reason)
{
    if (c->close_code) return;
    c->close_code = code;
    c->close_reason = reason;
    client_drop_queue(c);
    lws_callback_on_writable(c->wsi);
}

/* Queues m for c; a full queue or no memory drops the client (see the policy in the header). */
static int client_enqueue(client_t *c, ws_msg_t *m)
{
    if (c->close_code) return 0;
    if (c->qcount >= (uint32_t)cfg->ws_queue_max || c->qbytes + m->len > cfg->ws_queue_bytes) {
        stats.clients_dropped_slow++;
        stats.messages_dropped += c->qcount + 1;
        log_warn("notifier: a client fell %u messages behind; disconnecting it (1013)", (unsigned)c->qcount);
        client_close(c, CLOSE_TRY_AGAIN_LATER, "send queue full");
        return 0;
    }
    qnode_t *n = alloc_get(ALLOC_WS, sizeof *n);
    if (!n) {
        stats.clients_dropped_slow++;
        stats.messages_dropped += c->qcount + 1;
        client_close(c, CLOSE_TRY_AGAIN_LATER, "node out of memory");
        return 0;
    }
    n->next = NULL;
    n->msg = m;
    m->refs++;
    if (c->tail) c->tail->next = n;
    else c->head = n;
    c->tail = n;
    c->qcount++;
    c->qbytes += m->len;
    if (c->qcount == 1) lws_callback_on_writable(c->wsi);
    return 1;
}

/* ------------------------------------------------------------------ messages */
json_writer_t *notifier_message_begin(json_writer_t *w, const char *type)
{
    json_writer_init(w, MSG_PREFIX);
    json_begin_object(w);
    json_write_key(w, "type");
    json_write_str(w, type);
    json_write_key(w, "data");
    return w;
}

static int is_error_class(const char *type)
{
    return !strcmp(type, "legacy") || !strcmp(type, "balance_snapshot_error");
}

int notifier_message_send(json_writer_t *w, const char *type)
{
    json_end_object(w);
    size_t len;
    char *buf = json_writer_take(w, &len);
    if (!buf) {
        stats.messages_dropped++;
        log_warn("notifier: could not encode a '%s' message (out of memory)", type);
        return -1;
    }
    ws_msg_t *m = (ws_msg_t *)buf;
    m->refs = 1; /* ours until the loop below is done */
    m->len = (uint32_t)len;
    int reached = 0;
    for (client_t *c = clients; c; c = c->next) reached += client_enqueue(c, m);
    if (!reached && is_error_class(type) && strcmp(type, "legacy") != 0)
        ring_push(&errors, (const char *)MSG_PAYLOAD(m), m->len);
    stats.messages_sent++;
    msg_unref(m);
    return reached;
}

int notifier_send_legacy(int is_error, const char *text)
{
    json_writer_t w;
    json_writer_t *d = notifier_message_begin(&w, "legacy");
    json_begin_object(d);
    json_write_key(d, "verbosity");
    json_write_str(d, is_error ? "error" : "warning");
    json_write_key(d, "value");
    json_write_str(d, text);
    json_end_object(d);
    int reached = notifier_message_send(&w, "legacy");
    if (reached <= 0) ring_push(is_error ? &errors : &warnings, text, strlen(text));
    return reached;
}

void notifier_close_all(int code, const char *reason)
{
    for (client_t *c = clients; c; c = c->next) client_close(c, code, reason);
}

size_t notifier_client_count(void) { return stats.clients; }

void notifier_get_stats(notifier_stats_t *out) { *out = stats; }

/* ------------------------------------------------------------------ lws side */
static int (*ws_gate)(const char *cookie);

void notifier_set_gate(int (*gate)(const char *cookie)) { ws_gate = gate; }

int notifier_ws_accept(struct lws *wsi, const char *path, const char *cookie)
{
    (void)wsi;
    if (strcmp(path, "/ws") != 0 && strcmp(path, "/ws/") != 0) return -1;
    if (ws_gate && ws_gate(cookie) != 0) return -1;
    return flags_on(flag_notifier) ? 0 : -1;
}

int notifier_ws_established(struct lws *wsi, void **slot)
{
    client_t *c = alloc_zget(ALLOC_WS, sizeof *c);
    if (!c) return -1; /* out of budget: refuse the client rather than serve it half */
    c->wsi = wsi;
    c->next = clients;
    if (clients) clients->prev = c;
    clients = c;
    *slot = c;
    stats.clients++;
    stats.clients_total++;
    return 0;
}

int notifier_ws_receive(struct lws *wsi, void *client, const void *in, size_t len)
{
    client_t *c = client;
    if (!c || c->close_code) return 0;
    if (c->rx_len + len > ECHO_MAX) {
        client_close(c, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too large");
        return 0;
    }
    char *nb = alloc_reget(ALLOC_WS, c->rx, c->rx_len + len);
    if (!nb && c->rx_len + len) {
        client_close(c, CLOSE_TRY_AGAIN_LATER, "node out of memory");
        return 0;
    }
    c->rx = nb;
    if (len) memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi)) return 0;

    ws_msg_t *m = alloc_get(ALLOC_WS, MSG_PREFIX + c->rx_len);
    if (m) {
        m->refs = 1;
        m->len = (uint32_t)c->rx_len;
        memcpy(MSG_PAYLOAD(m), c->rx, c->rx_len);
        client_enqueue(c, m);
        msg_unref(m);
    } else {
        client_close(c, CLOSE_TRY_AGAIN_LATER, "node out of memory");
    }
    alloc_free(c->rx);
    c->rx = NULL;
    c->rx_len = 0;
    return 0;
}

int notifier_ws_writeable(struct lws *wsi, void *client)
{
    client_t *c = client;
    if (!c) return -1;
    if (c->close_code) {
        lws_close_reason(wsi, (enum lws_close_status)c->close_code, (unsigned char *)c->close_reason,
                         strlen(c->close_reason));
        return -1;
    }
    qnode_t *n = c->head;
    if (!n) return 0;
    c->head = n->next;
    if (!c->head) c->tail = NULL;
    c->qcount--;
    c->qbytes -= n->msg->len;
    /* One frame per writeable: lws buffers a partial write itself and calls us again only
     * once it drained, so a stalled client holds at most one frame inside lws. */
    int w = lws_write(wsi, MSG_PAYLOAD(n->msg), n->msg->len, LWS_WRITE_TEXT);
    msg_unref(n->msg);
    alloc_free(n);
    if (w < 0) return -1;
    if (c->head) lws_callback_on_writable(wsi);
    return 0;
}

void notifier_ws_closed(struct lws *wsi, void *client)
{
    (void)wsi;
    client_t *c = client;
    if (!c) return;
    if (c->prev) c->prev->next = c->next;
    else clients = c->next;
    if (c->next) c->next->prev = c->prev;
    client_drop_queue(c);
    alloc_free(c->rx);
    alloc_free(c);
    stats.clients--;
}

/* ------------------------------------------------------------------ endpoints */
/* GET /api/1/messages: drains what no client received (rotki's polling fallback). */
/* rotki keeps legacy texts, and other error-class messages as whole envelope strings */
static void write_ring(json_writer_t *w, ring_t *r)
{
    json_begin_array(w);
    for (int i = 0; i < r->count; i++) json_write_str(w, r->items[(r->head + i) % FALLBACK_MAX]);
    json_end_array(w);
}

static int api_messages_get(api_req_t *req)
{
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "warnings");
    write_ring(w, &warnings);
    json_write_key(w, "errors");
    write_ring(w, &errors);
    json_end_object(w);
    api_reply_end(req, 200, "");
    if (req->status == 200) { /* drained only once the reply was made */
        ring_clear(&warnings);
        ring_clear(&errors);
    }
    return API_DONE;
}

/* PUT /api/1/messages {"verbosity": "warning"|"error", "value": text}: an operator's notice
 * to every open frontend, as a rotki `legacy` message; kept for /messages if none is open. */
static int api_messages_put(api_req_t *req)
{
    int obj;
    if (api_body_object(req, &obj) != 0) return API_DONE;
    if (obj < 0) {
        api_reply_error(req, 400, "{\"value\": [\"Missing data for required field.\"]}");
        return API_DONE;
    }
    int is_error = 0;
    int vt = json_obj_get(&req->doc, obj, "verbosity");
    if (vt >= 0) {
        if (json_str_eq(&req->doc, vt, "error")) is_error = 1;
        else if (!json_str_eq(&req->doc, vt, "warning")) {
            api_reply_error(req, 400, "{\"verbosity\": [\"Must be one of: warning, error.\"]}");
            return API_DONE;
        }
    }
    static const char *const allowed[] = {"verbosity", "value", NULL};
    if (api_body_only(req, obj, allowed) != 0) return API_DONE;
    char text[1024];
    int t = json_obj_get(&req->doc, obj, "value");
    int st = t < 0 ? JSON_ETYPE : json_get_str(&req->doc, t, text, sizeof text, NULL);
    if (st != JSON_OK || !text[0]) {
        api_reply_error(req, 400, "{\"value\": [\"%s\"]}",
                        t < 0 ? "Missing data for required field."
                              : st == JSON_ERANGE ? "Longer than 1023 bytes." : "Not a valid non-empty string.");
        return API_DONE;
    }
    int reached = notifier_send_legacy(is_error, text);
    json_writer_t *w = api_reply_begin(req);
    json_begin_object(w);
    json_write_key(w, "clients");
    json_write_int64(w, reached < 0 ? 0 : reached);
    json_end_object(w);
    api_reply_end(req, 200, "");
    return API_DONE;
}

static const api_route_t routes[] = {
    {API_GET, "/api/1/messages", api_messages_get, "api.messages", 0},
    {API_PUT, "/api/1/messages", api_messages_put, "api.messages_put", 0},
};

static void on_flag(int id, int on, void *ud)
{
    (void)id;
    (void)ud;
    if (!on) notifier_close_all(LWS_CLOSE_STATUS_GOINGAWAY, "notifier switched off");
}

int notifier_init(const config_t *c)
{
    cfg = c;
    clients = NULL;
    memset(&stats, 0, sizeof stats);
    flag_notifier = flags_register("notifier", 1, "the /ws WebSocket notifier");
    flags_watch(flag_notifier, on_flag, NULL);
    return api_add_routes(routes, sizeof routes / sizeof routes[0]);
}

void notifier_shutdown(void)
{
    while (clients) notifier_ws_closed(clients->wsi, clients);
    ring_clear(&warnings);
    ring_clear(&errors);
}
