/* pipit — the node: configuration, the allocator budget, the loop, the services, the server.
 * SIGINT/SIGTERM close every connection, free everything and exit 0. */
#include <stdio.h>

#include "../core/alloc.h"
#include "../core/config.h"
#include "../core/flags.h"
#include "../core/log.h"
#include "../core/loop.h"
#include "../platform/pal.h"
#if defined(PIPIT_PAL_FAULTS)
#include "../platform/pal_fault.h"
#endif
#include "../db/db.h"
#include "api.h"
#include "auth.h"
#include "notifier.h"
#include "server.h"
#include "settings.h"
#include "snapshots.h"
#include "statistics.h"
#include "system.h"
#include "tags.h"
#include "chain/accounts.h"
#include "chain/balances.h"
#include "chain/nodes.h"
#include "chain/tokens.h"
#include "assets/registry.h"
#include "history/events.h"
#include "evmtx/decode.h"
#include "evmtx/routes.h"
#include "exchanges/exchanges.h"
#include "frontend.h"
#include "manual_balances.h"
#include "metrics.h"
#include "orchestrator.h"
#include "prices.h"
#include "premium.h"
#include "colibri.h"
#include "configuration.h"
#include "locations.h"
#include "periodic.h"
#include "exchange_rates.h"
#include "historical_prices.h"
#include "chain/supported.h"
#include "chain/untracked.h"
#include "history/status.h"
#include "history/transactions.h"
#include "external_services.h"
#include "addressbook.h"
#include "accounting_rules.h"
#include "defi_modules.h"
#include "notes.h"
#include "database_info.h"
#include "asset_icons.h"
#include "tasks.h"

/* The routes rotki's web app calls beyond the services above (docs/frontend-calls.md). */
static int frontend_calls_init(const config_t *cfg, loop_t *loop)
{
    return premium_init() || colibri_init() || configuration_init(cfg) || locations_init() || periodic_init() ||
           exchange_rates_init() || historical_prices_init() || chain_supported_init() || chain_untracked_init() ||
           history_status_init() || history_transactions_init() || external_services_init() || addressbook_init() ||
           accounting_rules_init() || defi_modules_init() || exchanges_binance_pairs_init() ||
           notes_init() || database_info_init(cfg, loop) || asset_icons_init();
}

static void *pal_alloc(size_t n) { return alloc_sys_get(ALLOC_PAL, n); }

static void on_stopped(void *ud) { loop_stop(ud); }

static void on_logged_out(void *ud) { server_stop(on_stopped, ud); }

/* The user's DB is closed first (its queued jobs finish), then the server. */
static void on_stop_signal(loop_t *l, void *ud)
{
    (void)ud;
    log_info("shutting down");
    auth_shutdown(on_logged_out, l);
}

/* Work-class requests stop at budget - reserve, so lws and TLS can still answer with 503. */
static size_t reserve_for(size_t budget)
{
    size_t r = budget / 8;
    if (r < (64u << 10)) r = 64u << 10;
    if (r > (1u << 20)) r = 1u << 20;
    return r < budget ? r : budget / 2;
}

int main(int argc, char **argv)
{
    static config_t cfg;
    char err[600];
    pal_hooks_t hooks = {pal_alloc, alloc_free};
    if (pal_init(&hooks) != PAL_OK) {
        fprintf(stderr, "pipit: platform start-up failed: %s\n", pal_last_error());
        return 1;
    }
#if defined(PIPIT_PAL_FAULTS)
    alloc_set_fault_hook(pal_fault_alloc);
#endif
    int rc = config_load(&cfg, argc, argv, err, sizeof err);
    if (rc > 0) return 0;
    if (rc < 0) {
        fprintf(stderr, "pipit: %s\n", err);
        return 2;
    }
    log_set_level((log_level_t)cfg.loglevel);
    alloc_configure(cfg.heap_budget, cfg.heap_budget ? reserve_for(cfg.heap_budget) : 0);
    if (pal_dir_make(cfg.data_dir) != PAL_OK) {
        log_error("cannot create the data directory %s: %s", cfg.data_dir, pal_last_error());
        return 1;
    }

    if (db_global_init() != 0) return 1;
    loop_t *loop;
    if (loop_create(&loop) != PAL_OK) {
        log_error("cannot create the event loop: %s", pal_last_error());
        return 1;
    }
    loop_set_slow_turn_ms(loop, (uint32_t)cfg.slow_turn_ms);
    rc = 1;
    if (api_init(&cfg) != 0 || system_init(&cfg, loop) != 0 || notifier_init(&cfg) != 0 || auth_init(&cfg, loop) != 0 ||
        settings_init() != 0 || tags_init() != 0 || snapshots_init() != 0 || tasks_init(&cfg, loop) != 0 ||
        chain_accounts_init() != 0 || chain_nodes_init() != 0 || chain_tokens_init() != 0 || assets_init() != 0 ||
        history_events_init() != 0 || evmtx_decode_init() != 0 ||
        chain_balances_init(&cfg, loop) != 0 || exchanges_init(&cfg, loop) != 0 ||
        statistics_init() != 0 || manual_balances_init() != 0 || evmtx_routes_init(&cfg, loop) != 0 ||
        metrics_init(loop) != 0 || orchestrator_init(&cfg, loop) != 0 || prices_init(&cfg, loop) != 0 ||
        frontend_init(&cfg, loop) != 0 || frontend_calls_init(&cfg, loop) != 0) {
        log_error("cannot register the services");
        goto out;
    }
    if (flags_check_overrides(err, sizeof err) != 0) {
        log_error("%s", err);
        rc = 2;
        goto out;
    }
    if (loop_on_stop_signal(loop, on_stop_signal, NULL) != PAL_OK) {
        log_error("cannot install signal handlers: %s", pal_last_error());
        goto out;
    }
    if (server_start(loop, &cfg) != 0) goto out;
    rc = loop_run(loop) == PAL_OK ? 0 : 1;
out:
    orchestrator_shutdown();
    chain_balances_shutdown();
    assets_shutdown();
    exchanges_shutdown();
    manual_balances_shutdown();
    tasks_shutdown();
    notifier_shutdown();
    api_shutdown();
    loop_destroy(loop);
    frontend_shutdown(); /* after the worker stopped: no read is under way */
    db_global_shutdown();
    pal_shutdown();
    if (alloc_live()) log_warn("%zu bytes still allocated at exit", alloc_live());
    log_info("stopped");
    return rc;
}
