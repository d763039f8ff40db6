/* The userhub's fan-out of a balance refresh: contributors that finish later, at once, or have
 * nothing to do; errors named per contributor; done exactly once, and never when nothing ran. */
#include <string.h>

#include "../../services/userhub.h"
#include "unit.h"

static struct {
    void (*finished)(void *ud, const char *error);
    void *ud;
    int sync;  /* finish inside refresh */
    int dones;
} later;

static int later_refresh(int ignore_cache, void (*finished)(void *ud, const char *error), void *ud)
{
    (void)ignore_cache;
    if (later.sync) {
        finished(ud, NULL);
        return 0;
    }
    later.finished = finished;
    later.ud = ud;
    return 0;
}

static int failing_refresh(int ignore_cache, void (*finished)(void *ud, const char *error), void *ud)
{
    (void)ignore_cache;
    finished(ud, "down");
    return 0;
}

static int idle_refresh(int ignore_cache, void (*finished)(void *ud, const char *error), void *ud)
{
    (void)ignore_cache, (void)finished, (void)ud;
    return -1;
}

static void later_each(userhub_balance_fn fn, void *ud) { fn("banks", "BTC", "1", 0, ud); }
static void failing_each(userhub_balance_fn fn, void *ud) { fn("kraken", "EUR", "2", 1, ud); }
static void idle_each(userhub_balance_fn fn, void *ud) { (void)fn, (void)ud; }

static const userhub_balances_t contributors[] = {
    {"later", later_refresh, later_each}, {"failing", failing_refresh, failing_each}, {"idle", idle_refresh, idle_each}};

static void on_done(userhub_refresh_t *r) { (void)r, later.dones++; }

static void collect(const char *location, const char *asset, const char *amount, int liability, void *ud)
{
    char *out = ud;
    size_t n = strlen(out);
    out[n] = liability ? 'L' : 'A';
    memcpy(out + n + 1, location, 1); /* the first letters say enough */
    memcpy(out + n + 2, asset, 1);
    memcpy(out + n + 3, amount, 1);
    out[n + 4] = 0;
}

UNIT_TEST(refresh_fans_out_and_ends_once)
{
    static int registered; /* the hub keeps registrations for the process: once */
    for (int i = 0; !registered && i < 3; i++) CHECK_EQ_INT(userhub_add_balances(&contributors[i]), 0);
    registered = 1;
    userhub_refresh_t r;
    memset(&r, 0, sizeof r);
    r.done = on_done;
    memset(&later, 0, sizeof later);
    /* one finishes later: done waits for it, the failing one's error is kept */
    CHECK_EQ_INT(userhub_balances_refresh(&r), 1);
    CHECK_EQ_INT(later.dones, 0);
    CHECK(later.finished != NULL);
    later.finished(later.ud, NULL);
    CHECK_EQ_INT(later.dones, 1);
    CHECK_EQ_STR(r.error, "Could not query the failing balances: down");
    /* all finish at once: nothing to wait for, done is not called */
    later.sync = 1;
    CHECK_EQ_INT(userhub_balances_refresh(&r), 0);
    CHECK_EQ_INT(later.dones, 1);
    CHECK_EQ_STR(r.error, "Could not query the failing balances: down");
    /* each lists every contributor's balances in registration order */
    char seen[64] = "";
    userhub_balances_each(collect, seen);
    CHECK_EQ_STR(seen, "AbB1LkE2");
}

static char session_log[64];
static void on_login(const char *user) { strcat(session_log, "+"), strcat(session_log, user); }
static void on_logout(const char *user) { strcat(session_log, "-"), strcat(session_log, user); }
static const userhub_session_t sessions[] = {{on_login, on_logout}, {NULL, on_logout}};

UNIT_TEST(session_hooks_run_in_order_and_may_be_left_out)
{
    static int registered;
    for (int i = 0; !registered && i < 2; i++) CHECK_EQ_INT(userhub_add_session(&sessions[i]), 0);
    registered = 1;
    session_log[0] = 0;
    userhub_logged_in("al");
    userhub_logging_out("al");
    CHECK_EQ_STR(session_log, "+al-al-al");
}

UNIT_SUITE(suite_userhub, UNIT_CASE(refresh_fans_out_and_ends_once), UNIT_CASE(session_hooks_run_in_order_and_may_be_left_out));
