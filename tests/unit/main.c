/* The unit-test program: the suites it runs; tests/unit/runner.c runs them. */
#include "unit.h"

extern const unit_suite_t suite_pt, suite_loop, suite_alloc, suite_json, suite_config, suite_schema, suite_sqlcipher,
    suite_db, suite_migrations, suite_arena, suite_keccak, suite_multicall, suite_sign, suite_httpc;
extern const unit_suite_t suite_prices;
extern const unit_suite_t suite_decimal;
extern const unit_suite_t suite_history;
extern const unit_suite_t suite_chunked;
extern const unit_suite_t suite_assets;
extern const unit_suite_t suite_frontend;
extern const unit_suite_t suite_userhub;
extern const unit_suite_t suite_parsers;
extern const unit_suite_t suite_evmtx_decode;
extern const unit_suite_t suite_evmtx_fetch;

static const unit_suite_t *const suites[] = {&suite_pt,     &suite_loop,      &suite_alloc, &suite_json, &suite_config,
                                             &suite_schema, &suite_sqlcipher, &suite_db, &suite_migrations, &suite_arena, &suite_keccak, &suite_multicall, &suite_sign, &suite_httpc,
                                             &suite_history,
                                             &suite_prices, &suite_decimal, &suite_chunked, &suite_assets, &suite_frontend, &suite_userhub, &suite_parsers, &suite_evmtx_decode, &suite_evmtx_fetch};

int main(int argc, char **argv) { return unit_run(suites, sizeof suites / sizeof suites[0], argc, argv); }
