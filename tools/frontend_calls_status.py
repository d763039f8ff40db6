"""What pipit answers for each call of rotki's web app: the rules docs/frontend-calls.md is made
from (tools/frontend_calls.py --markdown). First matching rule wins; a call no rule matches is
"not answered". Kept by hand: update it with the routes you add."""
import re

A, E = 'answered', 'answered-empty'

# (methods or '*', path regex, status, module, note)
RULES = [
    # --- manual balances, the asset registry, statistics
    ('GET PUT PATCH DELETE', r'/api/1/balances/manual', A, 'services/manual_balances.c', 'rotki\'s manually_tracked_balances; in /balances, snapshots and the net value'),
    ('PUT PATCH DELETE', r'/api/1/assets/all', 'not answered', '', 'the asset manager\'s edits of rotki\'s global DB (pipit\'s registry is built in plus learned)'),
    ('*', r'/api/1/assets/(mappings|types|all|search|search/levenshtein|ignored|ignored/whitelist)', A, 'services/assets/',
     'pipit\'s own registry: built-in assets plus ERC-20s read on chain'),
    ('*', r'/colibri/assets/(mappings|search/levenshtein)', A, 'services/colibri.c forwards to services/assets/',
     'colibri\'s route of the same shape as core\'s'),
    ('GET', r'/api/1/statistics/netvalue', A, 'services/statistics.c', 'from the snapshots\' total rows, rotki\'s free-user window'),
    ('*', r'/api/1/statistics/(balance|value_distribution|renderer)', E, 'services/statistics.c',
     'premium only in rotki: its 403 for a free user'),
    ('POST', r'/api/1/statistics/events', 'not answered', '', 'the yearly summary: the app calls it only with premium'),
    # --- colibri
    ('POST', r'/colibri/user(/logout)?', A, 'services/colibri.c', 'colibri\'s handle on the logged-in user\'s DB'),
    ('GET PUT', r'/colibri/settings/configuration', A, 'services/configuration.c', 'the log level (one process)'),
    ('GET', r'/colibri/assets/ignored', A, 'services/colibri.c', 'the user DB\'s ignored assets'),
    ('POST', r'/api/1/cache/(icons|avatars)/clear', E, 'services/asset_icons.c', 'nothing cached: true'),
    ('PUT POST PATCH', r'/api/1/assets/icon/modify', E, 'services/asset_icons.c', 'no icons kept: 409'),
    ('GET HEAD', r'/colibri/assets/icon', E, 'services/asset_icons.c', 'pipit keeps no icons: 404, which the app shows as the asset\'s initials'),
    ('GET', r'/colibri/assets/collections', E, 'services/colibri.c', 'no global asset DB: []'),
    ('GET', r'/colibri/prices/oracle', E, 'services/colibri.c', 'no historical oracle prices kept: an empty collection'),
    # --- users and session
    ('GET PUT', r'/api/1/users', A, 'services/auth.c', ''),
    ('POST PATCH', r'/api/1/users/<username>', A, 'services/auth.c', 'PATCH: logout only (no premium keys)'),
    ('POST', r'/api/1/users/<username>/authenticate', A, 'services/auth.c', 'login\'s code path; the rotki_session cookie'),
    ('PATCH', r'/api/1/users/<username>/password', A, 'services/auth.c', ''),
    ('GET', r'/api/1/(ping|info)', A, 'services/system.c', ''),
    ('GET', r'/api/1/messages', A, 'services/messages.c', ''),
    ('GET', r'/api/1/periodic', A, 'services/periodic.c', 'last snapshot, the node of the last balance query'),
    ('GET', r'/api/1/tasks(/<id>)?', A, 'services/tasks.c', ''),
    ('DELETE', r'/api/1/tasks/<id>', A, 'services/tasks.c', ''),
    ('PUT', r'/api/1/tasks/scheduler', A, 'services/tasks.c', ''),
    ('POST', r'/api/1/tasks/trigger', E, 'services/tasks.c', 'matching: premium 403; historical balances: none to process, true'),
    # --- premium (pipit has none: rotki's answers for a free user)
    ('GET', r'/api/1/premium/capabilities', E, 'services/premium.c', 'rotki\'s free tier'),
    ('PUT', r'/api/1/premium/sync', E, 'services/premium.c', 'rotki without premium: upload false, download 502'),
    ('*', r'/api/1/premium(/devices)?', E, 'services/premium.c', 'premium only: 403 as rotki for a free user'),
    ('*', r'/api/1/services/(gnosispay/.*|monerium)', E, 'services/premium.c', 'premium capability: 403 as rotki for a free user'),
    ('*', r'/api/1/balances/historical(/current|/asset|/asset/series|/netvalue|/onchain|/onchain/divergence)?', E, 'services/premium.c', 'premium only: 403 as rotki for a free user'),
    ('PUT POST DELETE', r'/api/1/history/events/match/(asset_movements|bridges)', E, 'services/premium.c', 'premium only: 403'),
    ('PUT', r'/api/1/blockchains/eth2/stake/performance', E, 'services/premium.c', 'premium only: 403'),
    ('GET', r'/api/1/blockchains/eth/modules/liquity/(staking|pool)', E, 'services/premium.c', 'premium only: 403'),
    # --- chains
    ('GET', r'/api/1/blockchains/supported', A, 'services/chain/supported.c', 'rotki\'s chain list'),
    ('GET', r'/api/1/blockchains/evm/all', A, 'services/chain/supported.c', 'rotki\'s EVM chain ids'),
    ('*', r'/api/1/blockchains/<(blockchain|chain)>/accounts', A, 'services/chain/accounts.c',
     'eth; other chains: services/chain/untracked.c (GET empty, a change 400)'),
    ('POST', r'/api/1/blockchains/evm/accounts', E, 'services/chain/untracked.c', 'other EVM chains are not tracked: nothing to add, true'),
    ('PUT', r'/api/1/blockchains/evm/accounts', A, 'services/chain/accounts.c', 'added to eth, the EVM chain pipit tracks'),
    ('PATCH DELETE', r'/api/1/blockchains/type/<chainType>/accounts', A, 'services/chain/accounts.c', 'evm (eth)'),
    ('GET PUT PATCH DELETE', r'/api/1/blockchains/<chain>/nodes', A, 'services/chain/nodes.c', 'eth; other chains empty'),
    ('POST', r'/api/1/blockchains/<chain>/nodes', A, 'services/chain/nodes.c', 'true: pipit connects for each query'),
    ('POST', r'/api/1/blockchains/<chain>/tokens/detect', A, 'services/chain/untracked.c', 'eth: from the last balance query; other EVM chains {}'),
    ('*', r'/api/1/blockchains/eth2/validators', E, 'services/chain/untracked.c', 'no staking tracked: empty; a change 400'),
    ('*', r'/api/1/blockchains/<(blockchain|chain)>/xpub', E, 'services/chain/untracked.c', 'no bitcoin tracked: empty balances; a change 400'),
    ('GET POST', r'/api/1/balances/blockchains(/<blockchain>)?', A, 'services/chain/balances.c', ''),
    ('GET', r'/api/1/balances', A, 'services/chain/balances.c', ''),
    # --- exchanges, history
    ('GET PUT PATCH DELETE', r'/api/1/exchanges', A, 'services/exchanges/exchanges.c', 'kraken, binance'),
    ('GET', r'/api/1/exchanges/balances/<location>', A, 'services/exchanges/exchanges.c', ''),
    ('*', r'/api/1/history/events', A, 'services/history/', ''),
    ('POST', r'/api/1/history/events/query', A, 'services/exchanges/exchanges.c', 'query_type exchanges'),
    ('GET', r'/api/1/history/events/type_mappings', A, 'services/history/names.c', ''),
    ('GET', r'/api/1/history/status/summary', A, 'services/history/status.c', ''),
    ('GET', r'/api/1/locations/all', A, 'services/locations.c', 'rotki\'s locations; API keys offered for kraken and binance'),
    ('GET', r'/api/1/locations/(associated|labels)', A, 'services/locations.c', ''),
    # --- prices
    ('POST PUT DELETE', r'/api/1/assets/prices/latest', A, 'services/prices.c', ''),
    ('POST', r'/api/1/assets/prices/latest/all', A, 'services/prices.c', ''),
    ('GET', r'/api/1/exchange_rates', A, 'services/exchange_rates.c', '1 / USD price from the price layer'),
    ('POST', r'/api/1/assets/prices/historical', A, 'services/historical_prices.c', 'from the balance snapshots'),
    ('GET PUT PATCH DELETE', r'/api/1/assets/prices/historical', E, 'services/historical_prices.c', 'manual historical prices live in rotki\'s global DB: [] / 409'),
    ('GET', r'/api/1/history/skipped_external_events', A, 'services/history/status.c', 'counted per location'),
    ('GET', r'/api/1/history/events/match/asset_movements', A, 'services/history/transactions.c', 'the unlinked exchange movements'),
    ('GET', r'/api/1/history/events/match/bridges', E, 'services/history/transactions.c', 'no chain events: []'),
    ('GET', r'/api/1/history/events/counterparties', A, 'services/history/transactions.c', 'the exchanges pipit talks to and its decoder\'s gas'),
    ('GET', r'/api/1/blockchains/transactions/internal/conflicts', E, 'services/history/transactions.c', 'no internal-transaction conflicts kept: empty'),
    ('POST DELETE', r'/api/1/blockchains/transactions', A, 'services/evmtx/routes.c',
     'Ethereum accounts\' transactions from the indexer or the user\'s own node, decoded into events'),
    ('GET', r'/api/1/blockchains/transactions/latest', A, 'services/evmtx/routes.c', 'newest stored transaction per chain'),
    ('GET POST PUT', r'/api/1/blockchains/transactions/decode', A, 'services/evmtx/decode_routes.c',
     'pending counts, decode the pending, redecode given transactions'),
    ('GET', r'/api/1/history/events/duplicates/customized', E, 'services/history/transactions.c', 'no decoded events: empty lists'),
    # --- rotki's DeFi modules (pipit runs none)
    ('GET', r'/api/1/blockchains/eth/modules/(uniswap/v2|sushiswap|liquity)/balances|/api/1/blockchains/eth/modules/liquity/stats', E,
     'services/defi_modules.c', 'rotki\'s 409 "<module> module is not activated"'),
    ('GET', r'/api/1/nfts(/balances)?', E, 'services/defi_modules.c', 'rotki\'s 409 "nfts module is not activated"'),
    ('DELETE', r'/api/1/blockchains/eth/modules(/<module>)?/data', E, 'services/defi_modules.c', 'no module data to purge: true'),
    ('GET PUT DELETE', r'/api/1/queried_addresses', A, 'services/defi_modules.c', 'rotki\'s multisettings rows'),
    ('GET POST', r'/api/1/protocols/data/refresh', E, 'services/defi_modules.c', 'no protocol data kept: [] / 400'),
    ('GET POST DELETE', r'/api/1/oracles/<source>/cache', E, 'services/historical_prices.c', 'no historical price caches: [] / 409'),
    ('GET', r'/api/1/exchanges/binance/pairs/<name>', A, 'services/exchanges/binance_pairs.c', 'the account\'s selected markets'),
    ('GET', r'/api/1/database/info', A, 'services/database_info.c', 'the user DB file and its backups; no global DB (versions 0)'),
    ('POST PUT PATCH DELETE', r'/api/1/notes', A, 'services/notes.c', 'rotki\'s user_notes'),
    # --- address names
    ('POST', r'/api/1/names', A, 'services/addressbook.c', 'from the private address book'),
    ('POST', r'/api/1/names/addressbook/<location>', A, 'services/addressbook.c', 'private: address_book; global (rotki\'s global DB): empty'),
    ('PUT PATCH DELETE', r'/api/1/names/addressbook/<location>', A, 'services/addressbook.c', 'the private book, all or nothing; global: 409'),
    # --- settings, tags, snapshots
    ('GET PUT DELETE', r'/api/1/external_services', A, 'services/external_services.c', 'rotki\'s external_service_credentials'),
    ('POST', r'/api/1/accounting/rules', A, 'services/accounting_rules.c', 'read from the user DB; pipit runs no accounting'),
    ('GET', r'/api/1/accounting/rules/info', A, 'services/accounting_rules.c', ''),
    ('*', r'/api/1/data_issues(/.*)?', E, 'services/accounting_rules.c', 'rotki\'s answer with its accounting update off: 404 "Data issues are disabled"'),
    ('GET PUT', r'/api/1/settings', A, 'services/settings.c', ''),
    ('GET PUT', r'/api/1/settings/configuration', A, 'services/configuration.c', 'log level; pipit keeps no log files'),
    ('*', r'/api/1/tags', A, 'services/tags.c', ''),
    ('GET', r'/api/1/snapshots/<timestamp>', A, 'services/snapshots.c', ''),
    ('PUT POST DELETE', r'/api/1/snapshots', A, 'services/snapshots.c', ''),
]

N = 'not answered'
# what this round's screens ask that pipit does not serve yet, and why
RULES += [
    ('*', r'/api/1/blockchains/(transactions(/.*)?|evm/transactions/lookup|eth2/(events/refetch|stake/events))', N, '',
     'not yet: pulling given transactions, refetching a range, internal-transaction conflicts, staking events'),
    ('*', r'/api/1/accounting/rules(/.*)?', N, '', 'pipit runs no accounting: rules are listed, not edited'),
    ('POST', r'/api/1/names/ens/(resolve|reverse)', N, '', 'no ENS lookups yet'),
    ('*', r'/api/1/history/events/(details|position|export|query/exchange(/range)?|duplicates/customized)', N, '', 'not yet'),
    ('*', r'/api/1/exchanges/(data(/<name>)?|<location>/savings|binance/(pairs|history-start))', N, '',
     'not yet (exchange data purge, savings, Binance market list)'),
]

# Which screen a call belongs to, by the frontend module that makes it (the first match wins).
SCREENS = [
    ('modules/auth/', 'login / create account'), ('modules/shell/', 'start-up'), ('modules/core/common/', 'start-up'),
    ('modules/session/', 'session (every screen)'), ('modules/core/tasks/', 'tasks (every screen)'),
    ('modules/premium/', 'premium (settings)'), ('modules/accounts/', 'accounts & balances'),
    ('modules/balances/', 'dashboard, accounts & balances'), ('modules/dashboard/', 'dashboard'),
    ('modules/statistics/', 'statistics, dashboard'), ('modules/history/', 'history events'),
    ('modules/tags/', 'tags'), ('modules/settings/', 'settings'), ('modules/assets/', 'assets (asset manager, prices)'),
    ('modules/integrations/', 'integrations (settings)'), ('modules/notes/', 'notes (side panel)'),
    ('modules/calendar/', 'calendar'), ('modules/reports/', 'profit/loss reports'), ('modules/staking/', 'staking'),
    ('modules/airdrops/', 'airdrops'), ('modules/wallet/', 'wallet (send)'), ('modules/user-data/', 'import data'),
]

# The calls the app makes at start-up (a) and while creating or logging in (b) until the
# dashboard shows (c: right after login), read in auth/, shell/, session/ and use-session-load.ts.
PHASES = {
    ('GET', '/api/1/ping'): 'a', ('GET', '/api/1/info'): 'a', ('GET', '/api/1/users'): 'a',
    ('PUT', '/api/1/users'): 'b', ('POST', '/api/1/users/<username>/authenticate'): 'b',
    ('POST', '/api/1/users/<username>'): 'b', ('GET', '/api/1/tasks/<id>'): 'b', ('GET', '/api/1/tasks'): 'b',
    ('POST', '/colibri/user'): 'b', ('POST', '/colibri/user/logout'): 'b', ('GET', '/api/1/settings'): 'b',
    ('PUT', '/api/1/settings'): 'b', ('GET', '/api/1/exchanges'): 'b',
    ('GET', '/api/1/premium/capabilities'): 'c', ('GET', '/api/1/blockchains/supported'): 'c',
    ('GET', '/api/1/blockchains/evm/all'): 'c', ('GET', '/api/1/history/status/summary'): 'c',
    ('GET', '/api/1/services/gnosispay/migration'): 'c', ('GET', '/api/1/locations/all'): 'c',
    ('GET', '/api/1/tags'): 'c', ('GET', '/colibri/assets/ignored'): 'c', ('GET', '/api/1/assets/ignored/whitelist'): 'c',
    ('GET', '/api/1/exchange_rates'): 'c', ('GET', '/api/1/balances/manual'): 'c',
    ('GET', '/api/1/blockchains/<blockchain>/accounts'): 'c', ('GET', '/api/1/blockchains/eth2/validators'): 'c',
    ('GET', '/api/1/blockchains/<blockchain>/xpub'): 'c', ('GET', '/api/1/statistics/netvalue'): 'c',
    ('POST', '/api/1/assets/prices/historical'): 'c', ('GET', '/api/1/periodic'): 'c',
    ('POST', '/api/1/blockchains/<chain>/tokens/detect'): 'c', ('GET', '/api/1/balances/blockchains'): 'c',
    ('POST', '/api/1/balances/blockchains/<blockchain>'): 'c', ('GET', '/api/1/balances'): 'c',
    ('POST', '/api/1/assets/prices/latest'): 'c', ('POST', '/colibri/assets/mappings'): 'c',
    ('GET', '/api/1/messages'): 'c', ('GET', '/api/1/exchanges/balances/<location>'): 'c',
}


def status_of(method, path):
    for methods, rx, status, module, note in RULES:
        if (methods == '*' or method in methods.split()) and re.fullmatch(rx, path):
            return status, module, note
    return 'not answered', '', ''


def screen_of(files):
    for f in sorted(files):
        for prefix, screen in SCREENS:
            if f.startswith(prefix):
                return screen
    return 'other'
