/* Configuration and feature flags: precedence, validation messages, sizes, run-time switches. */
#include <stdio.h>
#include <stdlib.h>

#include "../../core/config.h"
#include "../../core/flags.h"
#include "unit.h"

UNIT_TEST(sizes_parse_with_suffixes)
{
    size_t v;
    CHECK(config_parse_size("4096", &v) == 0 && v == 4096);
    CHECK(config_parse_size("512K", &v) == 0 && v == 512u << 10);
    CHECK(config_parse_size("16M", &v) == 0 && v == 16u << 20);
    CHECK(config_parse_size("2MiB", &v) == 0 && v == 2u << 20);
    CHECK(config_parse_size("1g", &v) == 0 && v == 1u << 30);
    CHECK(config_parse_size("", &v) != 0);
    CHECK(config_parse_size("-1", &v) != 0);
    CHECK(config_parse_size("12Q", &v) != 0);
    CHECK(config_parse_size("99999999999999999999", &v) != 0);
}

UNIT_TEST(flags_override_env_and_file_in_order)
{
    flags_reset();
    char path[] = "/tmp/pipit-unit-config-XXXXXX";
    /* the test may use the C library for its own fixture file */
    FILE *f = NULL;
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    f = fdopen(fd, "w");
    CHECK(f);
    fprintf(f, "# comment\nrest-api-port = 6001\napi-host = 127.0.0.2\nheap-budget = 8M\nflag.notifier = off\n");
    fclose(f);
    setenv("PIPIT_REST_API_PORT", "6002", 1);
    char *argv[] = {"pipit", "--config", path, "--loglevel", "debug", "--enable", "notifier", NULL};
    config_t c;
    char err[300] = "";
    int rc = config_load(&c, 7, argv, err, sizeof err);
    unsetenv("PIPIT_REST_API_PORT");
    remove(path);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(c.rest_api_port, 6002);      /* env beats file */
    CHECK_EQ_STR(c.api_host, "127.0.0.2");    /* file beats default */
    CHECK_EQ_INT(c.heap_budget, 8u << 20);
    CHECK_EQ_INT(c.loglevel, 0);
    int id = flags_register("notifier", 1, "x");
    CHECK(flags_on(id));                      /* --enable beats the file's off */
    CHECK_EQ_INT(flags_check_overrides(err, sizeof err), 0);
    flags_reset();
}

UNIT_TEST(bad_values_are_named)
{
    flags_reset();
    config_t c;
    char err[300];
    char *a1[] = {"pipit", "--rest-api-port", "70000", NULL};
    CHECK_EQ_INT(config_load(&c, 3, a1, err, sizeof err), -1);
    CHECK(strstr(err, "rest-api-port") != NULL);
    char *a2[] = {"pipit", "--loglevel", "loud", NULL};
    CHECK_EQ_INT(config_load(&c, 3, a2, err, sizeof err), -1);
    CHECK(strstr(err, "loud") != NULL);
    char *a3[] = {"pipit", "--no-such-thing", "1", NULL};
    CHECK_EQ_INT(config_load(&c, 3, a3, err, sizeof err), -1);
    CHECK(strstr(err, "no-such-thing") != NULL);
    char *a4[] = {"pipit", "--disable", "nonexistent", NULL};
    CHECK_EQ_INT(config_load(&c, 3, a4, err, sizeof err), 0);
    flags_register("notifier", 1, "x");
    CHECK_EQ_INT(flags_check_overrides(err, sizeof err), -1);
    CHECK(strstr(err, "nonexistent") != NULL);
    flags_reset();
}

static int seen_id = -1, seen_on = -1;
static void watcher(int id, int on, void *ud)
{
    (void)ud;
    seen_id = id;
    seen_on = on;
}

UNIT_TEST(runtime_switch_calls_watchers_once)
{
    flags_reset();
    int a = flags_register("api.info", 1, NULL);
    int b = flags_register("notifier", 1, NULL);
    CHECK_EQ_INT(flags_register("api.info", 0, NULL), a);
    flags_watch(b, watcher, NULL);
    flags_set(a, 0);
    CHECK_EQ_INT(seen_id, -1); /* not b's watcher */
    flags_set(b, 0);
    CHECK_EQ_INT(seen_id, b);
    CHECK_EQ_INT(seen_on, 0);
    seen_id = -1;
    flags_set(b, 0); /* no change, no call */
    CHECK_EQ_INT(seen_id, -1);
    CHECK_EQ_INT(flags_on(-1), 0);
    flags_reset();
}

UNIT_SUITE(suite_config, UNIT_CASE(sizes_parse_with_suffixes), UNIT_CASE(flags_override_env_and_file_in_order),
           UNIT_CASE(bad_values_are_named), UNIT_CASE(runtime_switch_calls_watchers_once));
