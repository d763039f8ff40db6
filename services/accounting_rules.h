/* accounting_rules — rotki's accounting rules (the accounting settings screen), read from the
 * user DB's accounting_rules and linked_rules_properties tables: POST /api/1/accounting/rules
 * {"entries": [{"identifier", "event_type", "event_subtype", "counterparty", "taxable":
 * {"value"[, "linked_setting"]}, "count_entire_amount_spend": {…}, "count_cost_basis_pnl": {…},
 * "accounting_treatment"}], "entries_found", "entries_total", "entries_limit": -1} (limit and
 * offset), GET /api/1/accounting/rules/info: the settings a property can be linked to. pipit
 * runs no accounting (no PnL reports), so it does not change rules: rotki's own ones, in a DB
 * rotki made, are listed as they are. rotki's data issues (/api/1/data_issues…) are part of its
 * accounting update, off unless a feature flag is set: its answer then, 404 "Data issues are
 * disabled". */
#ifndef PIPIT_ACCOUNTING_RULES_H
#define PIPIT_ACCOUNTING_RULES_H

int accounting_rules_init(void);

#endif
