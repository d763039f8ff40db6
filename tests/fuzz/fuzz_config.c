/* libFuzzer target for the config file and the command line (config_load, core/config.c, and
 * the feature-flag overrides of core/flags.c). The input is the config file's text, then a NUL
 * byte, then command-line arguments one a line. Checked: an error always says what; a loaded
 * config keeps every number in its range, every string NUL-terminated in its field and a
 * known DB driver; the loaded values written back as a config file load to the same values;
 * flags take the last override the input gave them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/flags.h"

#include "tests/fuzz/fuzz_pal.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_config: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)
#define MAX_ARGS 32

static char path[64], path2[64];

static void write_file(const char *p, const char *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    MUST(f && fwrite(data, 1, n, f) == n && fclose(f) == 0);
}

static void check_loaded(const config_t *c)
{
    MUST(c->rest_api_port >= 0 && c->rest_api_port <= 65535);
    MUST(c->loglevel >= 0 && c->loglevel <= 4);
    MUST(c->max_connections >= 16 && c->ws_queue_max >= 1 && c->ws_ping_interval >= 1 && c->ws_ping_interval <= 86400);
    MUST(c->db_slice_steps >= 1 && c->max_tasks >= 1 && c->max_tasks <= 1000 && c->rpc_timeout_ms >= 100);
    MUST(c->price_ttl >= 0 && c->price_ttl <= 86400 && c->slow_turn_ms >= 0 && c->max_task_outcomes >= 16);
    MUST(memchr(c->data_dir, 0, sizeof c->data_dir) && memchr(c->api_host, 0, sizeof c->api_host));
    MUST(memchr(c->api_cors, 0, sizeof c->api_cors) && memchr(c->frontend_dir, 0, sizeof c->frontend_dir));
    MUST(!strcmp(c->db_driver, "threaded") || !strcmp(c->db_driver, "sliced"));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_pal_init();
    snprintf(path, sizeof path, "/tmp/pipit-fuzz-config-%d", (int)getpid());
    snprintf(path2, sizeof path2, "/tmp/pipit-fuzz-config-%d-back", (int)getpid());
    unsetenv("PIPIT_CONFIG");
    unsetenv("PIPIT_FLAGS");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data, *nul = memchr(in, 0, size);
    size_t flen = nul ? (size_t)(nul - in) : size;
    write_file(path, in, flen);

    /* argv: "pipit --config <file>" then the input's lines (not --help or --version: they print) */
    char args[4096], *argv[MAX_ARGS + 4];
    int argc = 0;
    argv[argc++] = "pipit";
    argv[argc++] = "--config";
    argv[argc++] = path;
    if (nul) {
        size_t al = size - flen - 1;
        if (al >= sizeof args) al = sizeof args - 1;
        memcpy(args, nul + 1, al);
        args[al] = 0;
        for (char *a = args, *next; a && argc < MAX_ARGS; a = next) {
            next = strchr(a, '\n');
            if (next) *next++ = 0;
            if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "--version")) continue;
            if (!strncmp(a, "--config", 8)) continue; /* the file stays the fuzzed one */
            argv[argc++] = a;
        }
    }
    argv[argc] = NULL;

    flags_reset();
    config_t c;
    char err[300] = "";
    int rc = config_load(&c, argc, argv, err, sizeof err);
    MUST(rc == 0 || rc == -1);
    if (rc != 0) {
        MUST(err[0] && memchr(err, 0, sizeof err));
        return 0;
    }
    check_loaded(&c);
    int fl = flags_register("fuzzflag", 1, NULL);
    MUST(fl >= 0 && (flags_on(fl) == 0 || flags_on(fl) == 1));
    char ferr[200] = "";
    if (flags_check_overrides(ferr, sizeof ferr) != 0) MUST(ferr[0]);

    /* written back, the values load the same (strings that trim would change are left out) */
    char back[4096];
    int n = snprintf(back, sizeof back,
                     "rest-api-port = %d\nmax-body-size = %zu\nheap-budget = %zu\ndb-driver = %s\nmax-tasks = %d\nprice-ttl = %d\n",
                     c.rest_api_port, c.max_body_size, c.heap_budget, c.db_driver, c.max_tasks, c.price_ttl);
    int cors_plain = c.api_cors[0] && !strchr(" \t", c.api_cors[0]) && !strchr(" \t\r", c.api_cors[strlen(c.api_cors) - 1]) &&
                     !strchr(c.api_cors, '\n') && c.api_cors[0] != '#' && c.api_cors[0] != ';';
    if (cors_plain) n += snprintf(back + n, sizeof back - (size_t)n, "api-cors = %s\n", c.api_cors);
    MUST(n > 0 && (size_t)n < sizeof back);
    write_file(path2, back, (size_t)n);
    char *argv2[] = {"pipit", "--config", path2, NULL};
    config_t c2;
    flags_reset();
    int rc2 = config_load(&c2, 3, argv2, err, sizeof err);
    if (rc2 != 0) fprintf(stderr, "fuzz_config: written back: %s\n%s", err, back);
    MUST(rc2 == 0);
    MUST(c2.rest_api_port == c.rest_api_port && c2.max_body_size == c.max_body_size && c2.heap_budget == c.heap_budget);
    MUST(!strcmp(c2.db_driver, c.db_driver) && c2.max_tasks == c.max_tasks && c2.price_ttl == c.price_ttl);
    if (cors_plain) MUST(!strcmp(c2.api_cors, c.api_cors));
    return 0;
}
