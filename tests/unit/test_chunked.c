/* The chunked request-body decoder: bodies in every split, extensions and trailers, and the
 * framing it must refuse (the ambiguities request smuggling lives on). */
#include <string.h>

#include "../../services/http_chunked.h"
#include "unit.h"

typedef struct {
    char out[256];
    size_t n;
    size_t limit; /* the sink refuses past this many bytes */
} sink_t;

static int collect(void *ud, const char *data, size_t len)
{
    sink_t *s = ud;
    if (s->n + len > s->limit || s->n + len >= sizeof s->out) return 1;
    memcpy(s->out + s->n, data, len);
    s->n += len;
    s->out[s->n] = 0;
    return 0;
}

/* Feeds `in` in pieces of `step` bytes; the status of the last feed and the bytes used. */
static int feed_split(const char *in, size_t step, sink_t *s, size_t *total_used)
{
    http_chunked_t c;
    http_chunked_init(&c);
    size_t len = strlen(in), off = 0;
    int rc = HTTP_CHUNKED_MORE;
    s->n = 0;
    s->out[0] = 0;
    if (!s->limit) s->limit = sizeof s->out;
    while (off < len && rc == HTTP_CHUNKED_MORE) {
        size_t n = len - off < step ? len - off : step, used = 0;
        rc = http_chunked_feed(&c, in + off, n, &used, collect, s);
        off += used;
    }
    *total_used = off;
    return rc;
}

UNIT_TEST(chunked_bodies_decode_in_any_split)
{
    const char *body = "5\r\n{\"val\r\n19;name=value\r\nue\": \"hi\", \"verbosity\": \"\r\n"
                       "8\r\nwarning\"\r\n1\r\n}\r\n0\r\nX-Trailer: 1\r\n\r\n";
    for (size_t step = 1; step <= strlen(body); step++) {
        sink_t s = {0};
        size_t used;
        CHECK_EQ_INT(feed_split(body, step, &s, &used), HTTP_CHUNKED_DONE);
        CHECK_EQ_INT(used, strlen(body));
        CHECK_EQ_STR(s.out, "{\"value\": \"hi\", \"verbosity\": \"warning\"}");
    }
}

UNIT_TEST(chunked_done_stops_at_the_end_of_the_body)
{
    sink_t s = {0};
    size_t used;
    const char *in = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
    CHECK_EQ_INT(feed_split(in, 100, &s, &used), HTTP_CHUNKED_DONE);
    CHECK_EQ_INT(used, strlen("3\r\nabc\r\n0\r\n\r\n"));
    CHECK_EQ_STR(s.out, "abc");
    CHECK_EQ_INT(feed_split("A\r\n0123456789\r\n00\r\n\r\n", 100, &s, &used), HTTP_CHUNKED_DONE);
    CHECK_EQ_STR(s.out, "0123456789");
}

UNIT_TEST(chunked_malformed_framing_is_refused)
{
    static const char *const bad[] = {
        "3\nabc\r\n0\r\n\r\n",          /* bare LF after the size */
        "3\r\nabc\n0\r\n\r\n",          /* bare LF after the data */
        "3\r\nabcd\r\n0\r\n\r\n",       /* more data than the size */
        "\r\n",                         /* no size */
        "-3\r\nabc\r\n0\r\n\r\n",       /* sign */
        " 3\r\nabc\r\n0\r\n\r\n",       /* leading space */
        "3 \r\nabc\r\n0\r\n\r\n",       /* trailing space */
        "0x3\r\nabc\r\n0\r\n\r\n",      /* 0x prefix */
        "1000000000000000\r\n",         /* 16 hex digits: past any size we take */
        "3;a\x01\r\nabc\r\n0\r\n\r\n", /* a control byte in an extension */
        "0\r\n folded\r\n\r\n",         /* obsolete line folding in the trailers */
        "0\r\nX: 1\n\r\n",              /* bare LF in a trailer */
        "0\r\n\r\r",                    /* no final LF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sink_t s = {0};
        size_t used;
        int rc = feed_split(bad[i], 1, &s, &used);
        if (rc != HTTP_CHUNKED_BAD) {
            char m[120];
            snprintf(m, sizeof m, "case %zu was not refused (%d)", i, rc);
            unit_fail(__FILE__, __LINE__, m);
            return;
        }
    }
}

UNIT_TEST(chunked_long_lines_and_sink_refusal)
{
    char in[1400];
    size_t n = (size_t)snprintf(in, sizeof in, "1;");
    memset(in + n, 'x', 1100);
    strcpy(in + n + 1100, "\r\na\r\n0\r\n\r\n");
    sink_t s = {0};
    size_t used;
    CHECK_EQ_INT(feed_split(in, 7, &s, &used), HTTP_CHUNKED_BAD); /* an extension of 1 KiB and more */
    s.limit = 4;
    CHECK_EQ_INT(feed_split("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 100, &s, &used), HTTP_CHUNKED_SINK);
    CHECK_EQ_STR(s.out, "abc");
}

UNIT_SUITE(suite_chunked, UNIT_CASE(chunked_bodies_decode_in_any_split), UNIT_CASE(chunked_done_stops_at_the_end_of_the_body),
           UNIT_CASE(chunked_malformed_framing_is_refused), UNIT_CASE(chunked_long_lines_and_sink_refusal));
