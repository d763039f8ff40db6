/* supported — the chains rotki knows (its SupportedBlockchain enum, in rotki's order) and the
 * EVM chain ids (its ChainID enum), for GET /api/1/blockchains/supported and
 * GET /api/1/blockchains/evm/all, and for telling a chain pipit does not track (answered as
 * rotki answers an empty one) from a name that is no chain at all (a 400). */
#ifndef PIPIT_CHAIN_SUPPORTED_H
#define PIPIT_CHAIN_SUPPORTED_H

typedef struct {
    const char *id;             /* the API name: "eth", "btc", "polygon_pos" */
    const char *name;           /* str() of the enum: "ethereum", "Polygon PoS" */
    const char *type;           /* "evm", "evmlike", "bitcoin", "substrate", "eth2", "solana" */
    const char *native_token;
    const char *image;
    const char *evm_chain_name; /* NULL unless type is "evm" */
} chain_supported_t;

int chain_supported_init(void);
/* rotki's chain of that API name (any case), or NULL. */
const chain_supported_t *chain_supported_find(const char *id);

#endif
