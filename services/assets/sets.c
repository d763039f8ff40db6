/* sets — see sets.h. */
#include "sets.h"

#include <string.h>

void asset_sets_query_init(db_query_t *q, void (*done)(db_job_t *), void *ud)
{
    db_query_init(q,
                  "SELECT 'i', value FROM multisettings WHERE name = 'ignored_asset' "
                  "UNION SELECT 'w', substr(name, length('" WHITELIST_PREFIX "') + 1) FROM key_value_cache "
                  "WHERE name >= '" WHITELIST_PREFIX "' AND name < 'pipit_spam_whitelist;' "
                  "UNION SELECT 'o', currency FROM timed_balances "
                  "UNION SELECT 'o', asset FROM manually_tracked_balances ORDER BY 1, 2",
                  done, ud);
}

int asset_sets_has(const db_query_t *q, int kind, const char *identifier)
{
    /* rows are sorted by (kind, identifier): a binary search */
    size_t lo = 0, hi = q->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = db_query_cell(q, mid, 0), *v = db_query_cell(q, mid, 1);
        int c = (unsigned char)(k ? k[0] : 0) - kind;
        if (!c) c = strcmp(v ? v : "", identifier);
        if (!c) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}
