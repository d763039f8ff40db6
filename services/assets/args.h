/* args — body fields as rotki's asset schemas read them (marshmallow's messages, 400 naming
 * the field). Each returns 0, or -1 with the 400 sent. */
#ifndef PIPIT_ASSETS_ARGS_H
#define PIPIT_ASSETS_ARGS_H

#include <stddef.h>

#include "../api.h"

/* An optional string (null or "" count as absent when empty_as_none): *present 0/1. */
int asset_arg_str(api_req_t *req, int obj, const char *key, char *buf, size_t len, int *present);
/* An optional integer: *present 0/1. */
int asset_arg_int(api_req_t *req, int obj, const char *key, long long *out, int *present);
/* A list of non-empty strings, or one comma-separated string (rotki's DelimitedOrNormalList):
 * *ids a new array of new strings (asset_args_free_list), *n its length; absent → NULL, 0. */
int asset_arg_list(api_req_t *req, int obj, const char *key, int required, char ***ids, size_t *n);
void asset_args_free_list(char **ids, size_t n);
/* An optional evm_chain name into *chain_id (0 when absent). */
int asset_arg_evm_chain(api_req_t *req, int obj, unsigned long long *chain_id);

#endif
