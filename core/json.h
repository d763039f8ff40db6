/* json — strict RFC 8259 parsing (jsmn tokens + a validator) and a streaming writer.
 *
 * Parsing never assumes NUL-terminated input and keeps no pointer into anything but the
 * caller's text, which must outlive the document. Tokens are indices into the document,
 * numbered in document order; 0 is the top-level value. Accessors take any index and
 * fail cleanly on out-of-range or wrong-type tokens.
 *
 * The writer builds one JSON value in a growable buffer from the ALLOC_JSON allocator,
 * optionally behind a reserved prefix (libwebsockets wants LWS_PRE bytes before a payload).
 * Errors (allocation failure, misuse) are sticky: later calls do nothing and
 * json_writer_finish() reports the first one, so callers check once, at the end.
 */
#ifndef PIPIT_JSON_H
#define PIPIT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

enum {
    JSON_OK = 0,
    JSON_ESYNTAX = -1, /* malformed input (message in err) or writer misuse */
    JSON_ENOMEM = -2,  /* allocation refused: answer 503, not 400 */
    JSON_ETYPE = -3,   /* token is missing or of another type */
    JSON_ERANGE = -4,  /* value does not fit (int64 overflow, buffer too small) */
    JSON_EVALUE = -5,  /* right type, unacceptable value (fraction for an int, not a decimal) */
};

/* Token types; 0 for an invalid index. */
enum { JSON_INVALID = 0, JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_NULL };

#define JSON_MAX_DEPTH 64 /* nesting limit of parser and writer */

typedef struct {
    const char *js; /* the parsed text, not copied */
    size_t len;
    int ntok;       /* number of tokens; a key and its value are two tokens */
    void *priv;     /* token table, json.c only */
} json_doc_t;

/* Parse js[0..len) as exactly one JSON value. max_tokens caps the token count (every value
 * and every key is one; <= 0 means no cap beyond the input length). On failure err gets a
 * message such as "Malformed JSON: expected ':' after object key at byte 9" (offsets are
 * 0-based) and doc is left empty; json_doc_free() is safe either way. */
int json_parse(json_doc_t *doc, const char *js, size_t len, int max_tokens, char *err, size_t errlen);
void json_doc_free(json_doc_t *doc);

/* Structure. json_next: the token after tok's subtree (a key's subtree includes its value);
 * may equal ntok. json_first: first key of an object / first element of an array, -1 if
 * empty or not a container. json_sibling: next key (for a key) or next element (for an
 * array element), -1 at the end. An object member's value is always key + 1:
 *   for (int k = json_first(d, obj); k >= 0; k = json_sibling(d, k)) use(k, k + 1); */
int json_type(const json_doc_t *doc, int tok);
int json_child_count(const json_doc_t *doc, int tok); /* members or elements; 0 otherwise */
int json_next(const json_doc_t *doc, int tok);
int json_first(const json_doc_t *doc, int tok);
int json_sibling(const json_doc_t *doc, int tok);
/* Value of key in object obj, -1 if absent. Keys compare after unescaping; with duplicate
 * keys the last wins, as in Python's json (what rotki's clients are used to). */
int json_obj_get(const json_doc_t *doc, int obj, const char *key);
int json_arr_get(const json_doc_t *doc, int arr, int index); /* -1 if out of range; O(index) */

int json_is_null(const json_doc_t *doc, int tok); /* 1 if tok is null, else 0 */
/* Scalars: JSON_OK or a negative JSON_E*. */
int json_get_bool(const json_doc_t *doc, int tok, int *out);
int json_get_int64(const json_doc_t *doc, int tok, int64_t *out); /* integers only */
int json_get_double(const json_doc_t *doc, int tok, double *out);  /* finite, < 128 chars; "C" locale */
/* Unescaped string into buf, NUL-terminated; JSON_ERANGE if it does not fit. The string
 * may contain U+0000: with outlen NULL such a string is refused (JSON_EVALUE), so the
 * result is always safe as a C string; pass outlen to get the bytes anyway. */
int json_get_str(const json_doc_t *doc, int tok, char *buf, size_t buflen, size_t *outlen);
/* Same, into a new allocation with the caller's tag (free with alloc_free). */
int json_get_strdup(const json_doc_t *doc, int tok, alloc_tag_t tag, char **out, size_t *outlen);
/* The value's JSON text as it appears in the input (strings with their quotes), e.g. to
 * pass a number or a sub-document on with json_write_raw. */
int json_get_raw(const json_doc_t *doc, int tok, const char **out, size_t *outlen);
/* 1 if tok is a string equal (after unescaping) to s / s[0..n), else 0. */
int json_str_eq(const json_doc_t *doc, int tok, const char *s);
int json_str_eqn(const json_doc_t *doc, int tok, const char *s, size_t n);

/* Decimal amounts, accepted as "1.5" or 1.5 (also "+1.5", ".5", "5.", "1e-3"), rewritten
 * canonically: no exponent, no '+', no superfluous zeros, "0" for any zero ("-0.10e1" ->
 * "-1"). NaN, Infinity, hex, blanks and anything else are JSON_EVALUE; too long for buf
 * is JSON_ERANGE. Amounts given as strings may be at most 127 bytes. */
int json_get_amount(const json_doc_t *doc, int tok, char *buf, size_t buflen);
int json_normalize_amount(const char *s, size_t n, char *buf, size_t buflen);

typedef struct {
    char *buf;     /* prefix bytes, then the output, then a NUL */
    size_t prefix; /* bytes reserved in front of the output */
    size_t len;    /* output bytes so far */
    size_t cap;
    int err;       /* first error, sticky */
    int depth;
    unsigned char level[JSON_MAX_DEPTH + 1]; /* per nesting level: object?, has items, key pending */
} json_writer_t;

void json_writer_init(json_writer_t *w, size_t prefix);
void json_writer_free(json_writer_t *w);
int json_writer_error(const json_writer_t *w); /* JSON_OK or the sticky error */
/* Check that exactly one complete value was written; on success *out (NUL-terminated) and
 * *outlen describe the output, which stays owned by the writer. */
int json_writer_finish(json_writer_t *w, const char **out, size_t *outlen);
/* Finish and take the buffer: returns the allocation (free with alloc_free), whose output
 * starts `prefix` bytes in and is *outlen bytes long; NULL on any error (the writer is
 * freed either way). */
char *json_writer_take(json_writer_t *w, size_t *outlen);

void json_begin_object(json_writer_t *w);
void json_end_object(json_writer_t *w);
void json_begin_array(json_writer_t *w);
void json_end_array(json_writer_t *w);
void json_write_key(json_writer_t *w, const char *key);
void json_write_keyn(json_writer_t *w, const char *key, size_t n);
/* Strings are escaped; invalid UTF-8 becomes U+FFFD so the output is always valid JSON.
 * A NULL string writes null (handy for optional columns). */
void json_write_str(json_writer_t *w, const char *s);
void json_write_strn(json_writer_t *w, const char *s, size_t n);
void json_write_int64(json_writer_t *w, int64_t v);
void json_write_uint64(json_writer_t *w, uint64_t v);
void json_write_bool(json_writer_t *w, int v);
void json_write_null(json_writer_t *w);
/* A pre-encoded value; it is validated, and malformed JSON is a sticky JSON_ESYNTAX. */
void json_write_raw(json_writer_t *w, const char *js, size_t n);
/* Token tok of doc as it was sent (a string keeps its escapes), e.g. a checked value passed on. */
void json_write_token(json_writer_t *w, const json_doc_t *doc, int tok);
/* A decimal amount, normalized as by json_normalize_amount and written as a string;
 * anything else is a sticky JSON_EVALUE. */
void json_write_amount(json_writer_t *w, const char *s, size_t n);

#endif
