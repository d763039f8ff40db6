/* transactions — what rotki's history screen asks about blockchain transactions and their
 * decoding beyond what pipit keeps (its evm events come from services/evmtx, with no protocol
 * decoders), answered as rotki answers with none: GET /api/1/history/events/counterparties [] (the
 * decoders' counterparties), GET /api/1/blockchains/transactions/internal/conflicts an empty
 * collection, GET /api/1/history/events/duplicates/customized three empty lists (duplicates of
 * customized decoded events), GET /api/1/history/events/match/bridges [] (bridge legs of chain
 * events). GET /api/1/history/events/match/asset_movements is real: the exchange asset movements
 * no chain event is linked to (all of them: pipit links none), by group id. */
#ifndef PIPIT_HISTORY_TRANSACTIONS_H
#define PIPIT_HISTORY_TRANSACTIONS_H

int history_transactions_init(void);

#endif
