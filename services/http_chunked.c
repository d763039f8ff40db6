/* http_chunked — see http_chunked.h. */
#include "http_chunked.h"

enum {
    S_SIZE,        /* the chunk size's hex digits */
    S_EXT,         /* ";name=value" after the size, skipped */
    S_SIZE_LF,     /* the size line's LF */
    S_DATA,        /* chunk data */
    S_DATA_CR,     /* CRLF after the data */
    S_DATA_LF,
    S_TRAILER,     /* the start of a trailer line, or of the final CRLF */
    S_TRAILER_LINE,
    S_TRAILER_LF,
    S_FINAL_LF,
    S_DONE,
};

#define MAX_HEX_DIGITS 15 /* sizes below 2^60: no overflow, far above any body limit */
#define MAX_LINE 1024     /* an extension or a trailer field */

void http_chunked_init(http_chunked_t *c)
{
    c->state = S_SIZE;
    c->digits = 0;
    c->linelen = 0;
    c->remain = 0;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Bytes allowed inside an extension or a trailer line: visible ASCII, space, tab, and
 * obs-text; never CR, LF, NUL or other controls. */
static int line_byte_ok(unsigned char ch) { return ch == '\t' || (ch >= 0x20 && ch != 0x7f); }

int http_chunked_feed(http_chunked_t *c, const char *in, size_t len, size_t *used, http_chunked_sink_fn sink, void *ud)
{
    size_t i = 0;
    int rc = HTTP_CHUNKED_MORE;
    while (i < len && rc == HTTP_CHUNKED_MORE) {
        unsigned char ch = (unsigned char)in[i];
        switch (c->state) {
        case S_SIZE: {
            int v = hex_value((char)ch);
            if (v >= 0 && c->digits < MAX_HEX_DIGITS) {
                c->remain = (c->remain << 4) | (uint64_t)v;
                c->digits++;
            } else if (c->digits && ch == ';') {
                c->state = S_EXT;
                c->linelen = 0;
            } else if (c->digits && ch == '\r') {
                c->state = S_SIZE_LF;
            } else {
                rc = HTTP_CHUNKED_BAD;
                continue;
            }
            i++;
            break;
        }
        case S_EXT:
            if (ch == '\r') c->state = S_SIZE_LF;
            else if (!line_byte_ok(ch) || ++c->linelen > MAX_LINE) {
                rc = HTTP_CHUNKED_BAD;
                continue;
            }
            i++;
            break;
        case S_SIZE_LF:
            if (ch != '\n') {
                rc = HTTP_CHUNKED_BAD;
                continue;
            }
            c->state = c->remain ? S_DATA : S_TRAILER;
            i++;
            break;
        case S_DATA: {
            size_t n = len - i;
            if ((uint64_t)n > c->remain) n = (size_t)c->remain;
            if (sink(ud, in + i, n) != 0) {
                rc = HTTP_CHUNKED_SINK;
                continue;
            }
            c->remain -= n;
            i += n;
            if (!c->remain) c->state = S_DATA_CR;
            break;
        }
        case S_DATA_CR:
        case S_DATA_LF:
            if (ch != (c->state == S_DATA_CR ? '\r' : '\n')) {
                rc = HTTP_CHUNKED_BAD;
                continue;
            }
            if (c->state == S_DATA_CR) c->state = S_DATA_LF;
            else {
                c->state = S_SIZE;
                c->digits = 0;
            }
            i++;
            break;
        case S_TRAILER:
            if (ch == '\r') c->state = S_FINAL_LF;
            else if (line_byte_ok(ch) && ch != ' ' && ch != '\t') { /* no obsolete line folding */
                c->state = S_TRAILER_LINE;
                c->linelen = 1;
            } else {
                rc = HTTP_CHUNKED_BAD;
                continue;
            }
            i++;
            break;
        case S_TRAILER_LINE:
            if (ch == '\r') c->state = S_TRAILER_LF;
            else if (!line_byte_ok(ch) || ++c->linelen > MAX_LINE) {
                rc = HTTP_CHUNKED_BAD;
                continue;
            }
            i++;
            break;
        case S_TRAILER_LF:
        case S_FINAL_LF:
            if (ch != '\n') {
                rc = HTTP_CHUNKED_BAD;
                continue;
            }
            c->state = c->state == S_TRAILER_LF ? S_TRAILER : S_DONE;
            i++;
            break;
        default: /* S_DONE */
            rc = HTTP_CHUNKED_DONE;
            continue;
        }
        if (c->state == S_DONE) rc = HTTP_CHUNKED_DONE;
    }
    if (rc == HTTP_CHUNKED_MORE && c->state == S_DONE) rc = HTTP_CHUNKED_DONE;
    *used = i;
    return rc;
}
