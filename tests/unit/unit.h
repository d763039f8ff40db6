/* unit — the unit-test runner's tiny framework. Each test file defines test functions with
 * UNIT_TEST(name) and lists them in its suite; the runner prints one line per failure and a
 * closing "N passed, N failed" line. A check that fails marks the current test failed and
 * returns from it. */
#ifndef PIPIT_UNIT_H
#define PIPIT_UNIT_H

#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
typedef struct { const char *name; unit_fn fn; } unit_case_t;

extern int unit_current_failed;
void unit_fail(const char *file, int line, const char *expr);

#define UNIT_TEST(name) static void name(void)
#define UNIT_CASE(name) { #name, name }
#define CHECK(cond) do { if (!(cond)) { unit_fail(__FILE__, __LINE__, #cond); return; } } while (0)
#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) { char m_[256]; snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_); \
    unit_fail(__FILE__, __LINE__, m_); return; } } while (0)
#define CHECK_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) { char m_[512]; \
    snprintf(m_, sizeof m_, "%s == %s (\"%.200s\" != \"%.200s\")", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
    unit_fail(__FILE__, __LINE__, m_); return; } } while (0)

/* Each suite file exports one of these; tests/unit/main.c lists the suites. */
typedef struct { const char *name; const unit_case_t *cases; int count; } unit_suite_t;
#define UNIT_SUITE(sym, ...) static const unit_case_t sym##_cases[] = { __VA_ARGS__ }; \
    const unit_suite_t sym = { #sym, sym##_cases, (int)(sizeof sym##_cases / sizeof sym##_cases[0]) }

/* A test that knowingly leaves bytes a dependency never frees says so (with why, at the call). */
void unit_allow_leak(size_t bytes);

/* A test that cannot run on this platform says why and returns: it is counted as skipped. */
void unit_skip(const char *why);

/* runner.c: runs the suites and prints the closing line; returns the exit status. */
int unit_run(const unit_suite_t *const *suites, size_t n, int argc, char **argv);

#endif
