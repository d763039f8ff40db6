/* http_chunked — a strict decoder for chunked request bodies (RFC 9112 7.1).
 *
 * libwebsockets' h1 server hands a chunked upload over as raw bytes; this turns them into the
 * body. It is fed the bytes as they come, in any split, and hands each run of decoded data to a
 * sink. Strict where leniency lets two parsers disagree about where a body ends (request
 * smuggling): CRLF only (no bare LF), hex sizes without sign or space, at most 15 hex digits,
 * chunk extensions and trailer fields skipped but bounded in length.
 */
#ifndef PIPIT_HTTP_CHUNKED_H
#define PIPIT_HTTP_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t state;
    uint8_t digits;   /* hex digits of the size read so far */
    uint16_t linelen; /* bytes of the extension or trailer line read so far */
    uint64_t remain;  /* data bytes left in the current chunk */
} http_chunked_t;

enum {
    HTTP_CHUNKED_MORE = 0,  /* all input used, the body goes on */
    HTTP_CHUNKED_DONE = 1,  /* the last chunk and trailers ended; *used says where */
    HTTP_CHUNKED_BAD = -1,  /* malformed framing */
    HTTP_CHUNKED_SINK = -2, /* the sink refused data (its own error stands) */
};

/* Receives decoded body bytes; nonzero stops decoding. */
typedef int (*http_chunked_sink_fn)(void *ud, const char *data, size_t len);

void http_chunked_init(http_chunked_t *c);
/* Decodes in[0..len); *used is how many input bytes were taken (less than len only when DONE,
 * BAD or SINK). Calling it again after DONE returns DONE with nothing used. */
int http_chunked_feed(http_chunked_t *c, const char *in, size_t len, size_t *used, http_chunked_sink_fn sink,
                      void *ud);

#endif
