#!/usr/bin/env python3
"""Lists the (method, path) calls rotki's frontend makes, read from its sources in the mirror.

    python3 tools/frontend_calls.py [--repo /work/.mirror/rotki+rotki/repo] [--json | --markdown]

It reads every non-test .ts/.vue file under frontend/app/src, finds `api.<verb>(<url>, ...)`
calls (the url a string or template literal; `${x}` becomes `<x>`), notes calls made with
`target: RequestTarget.COLIBRI` (served under /colibri instead of /api/1), and prints one line
per distinct (method, full path) with the files that make it. Calls whose url is not a literal
are listed at the end with their file, to be read by hand. --markdown writes
docs/frontend-calls.md's text, with pipit's status of each call (tools/frontend_calls_status.py).
"""
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

VERBS = {'get': 'GET', 'post': 'POST', 'put': 'PUT', 'patch': 'PATCH', 'delete': 'DELETE',
         'headStatus': 'HEAD', 'fetchBlob': 'GET', 'fetch': 'GET'}
CALL = re.compile(r'\bapi\.(get|post|put|patch|delete|headStatus|fetchBlob)\s*(?:<(?:[^<>]|<[^<>]*>)*>)?\s*\(\s*')
LITERAL = re.compile(r"""(['"`])((?:(?!\1).)*)\1""", re.S)


# Urls built at run time (a computed ref, a ternary, `url += ...`), read in the files named.
HAND_READ = [
    ('GET', '/colibri/assets/icon', 'modules/assets/api/use-asset-icon-api.ts'),  # the <img src>
    ('GET', '/api/1/balances/blockchains/<blockchain>', 'modules/balances/api/use-blockchain-balances-api.ts'),
    ('POST', '/api/1/balances/blockchains/<blockchain>', 'modules/balances/api/use-blockchain-balances-api.ts'),
    ('DELETE', '/api/1/blockchains/eth/modules/<module>/data', 'modules/balances/api/use-blockchain-balances-api.ts'),
    ('PUT', '/api/1/blockchains/<chain>/accounts', 'modules/accounts/api/use-blockchain-accounts-api.ts'),
    ('PUT', '/api/1/blockchains/<chain>/xpub', 'modules/accounts/api/use-blockchain-accounts-api.ts'),
    ('PATCH', '/api/1/blockchains/<chain>/xpub', 'modules/accounts/api/use-blockchain-accounts-api.ts'),
    ('DELETE', '/api/1/exchanges/data/<name>', 'modules/balances/api/use-exchange-api.ts'),
    ('GET', '/api/1/tasks/<id>', 'modules/core/tasks/use-task-api.ts'),  # ofetch.raw, not api.*
    ('DELETE', '/api/1/tasks/<id>', 'modules/core/tasks/use-task-api.ts'),
]


def git(repo, *args):
    return subprocess.run(['git', '-C', repo, *args], check=True, capture_output=True, text=True).stdout


def call_span(text, start):
    """The text of the call's argument list from start (just after the '('), to its ')'."""
    depth, i = 1, start
    while i < len(text) and depth:
        c = text[i]
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        i += 1
    return text[start:i]


def normalize(url):
    url = url.split('?')[0]
    # `${payload.reportId}`, `${toValue(chain)}`: the parameter is the expression's last name
    url = re.sub(r'\$\{\s*([^}]*?)\s*\}', lambda m: '<' + (re.findall(r'\w+', m.group(1)) or ['x'])[-1] + '>', url)
    return url


def extract(repo):
    files = [f for f in git(repo, 'ls-tree', '-r', '--name-only', 'HEAD', 'frontend/app/src').split('\n')
             if f.endswith(('.ts', '.vue')) and '.spec.' not in f and '/__tests__/' not in f]
    calls, unresolved = defaultdict(set), []
    for f in files:
        text = git(repo, 'show', f'HEAD:{f}')
        if 'api.' not in text:
            continue
        for m in CALL.finditer(text):
            args = call_span(text, m.end())
            lit = LITERAL.match(args)
            method = VERBS[m.group(1)]
            short = f.replace('frontend/app/src/', '')
            colibri = 'RequestTarget.COLIBRI' in args
            explicit = re.search(r"method:\s*'([A-Z]+)'", args)
            if explicit and m.group(1) == 'fetchBlob':
                method = explicit.group(1)
            prefix = '/colibri' if colibri else '/api/1'
            if lit:
                urls = [lit.group(2)]
            else:  # a name: its nearest definition above the call, `const|let name = <literal>`
                name = re.match(r'[\w.]+(?:\(\s*(\w+)\s*\))?', args.strip())
                var = name and (name.group(1) or name.group(0))
                defs = list(re.finditer(r'\b(?:const|let)\s+' + re.escape(var or '-') + r'\s*(?::\s*\w+\s*)?=\s*([^;\n]*)',
                                        text[:m.start()])) if var else []
                rhs = defs[-1].group(1) if defs else ''
                urls = [] if '?' in rhs else [u.group(2) for u in LITERAL.finditer(rhs)][:1]  # ternaries: read by hand
                urls = [u for u in urls if u.startswith(('/', '${'))]
                if not urls:
                    unresolved.append((method, args.split(',')[0].strip(), short))
                    continue
            consts = dict((m2.group(1), m2.group(3)) for m2 in re.finditer(r'''\bconst\s+([A-Z_]+)\s*=\s*(['"])([^'"]*)\2''', text))
            for url in urls:
                url = normalize(re.sub(r'\$\{([A-Z_]+)\}', lambda m3: consts.get(m3.group(1), m3.group(0)), url))
                calls[(method, prefix + ('' if url.startswith('/') else '/') + url)].add(short)
    for method, path, f in HAND_READ:
        calls[(method, path)].add(f + ' (read by hand)')
    return calls, unresolved


INTRO = """# rotki's web app against pipit: the calls it makes

Every (method, path) rotki's frontend calls (`frontend/app/src` of rotki at {commit}), found by
`tools/frontend_calls.py` (the `api.<verb>(url, …)` calls of every non-test source file, urls
built at run time read by hand), with what pipit answers. Regenerate with
`python3 tools/frontend_calls.py --markdown > docs/frontend-calls.md` after changing
`tools/frontend_calls_status.py`; `tests/integration/test_frontend_calls.py` checks that every
call marked answered or answered-empty is answered by the node (not 404/405).

Statuses: **answered** (a real implementation, in the module named), **answered-empty** (a feature
pipit does not have — premium, other chains, icons, … — answered as rotki answers when the feature
is off or empty; the note says why), **owned by <part> (in progress)** (issue 12's other parts),
**not answered** (404/405: the screens outside this round — reports, calendar, staking, wallet, asset
manager, … — and, on this round's screens, the actions on data pipit does not have yet; the note
says which).

## Pointing rotki's web app at pipit

The browser build talks to the origin it is served from: core under `/api/1/…`, colibri under
`/colibri/…` (in rotki's Docker image the `starling` proxy strips that prefix for colibri; pipit
serves colibri's routes itself), the notifier at `/ws`. So:

1. build the app as rotki's Docker image does: in rotki's `frontend/`,
   `pnpm install && pnpm run --filter rotki build:app --mode docker` (`.env.docker`:
   `VITE_PUBLIC_PATH=./`, `VITE_BACKEND_URL=''`, i.e. same origin), giving `frontend/app/dist`;
2. serve it from pipit's port: `pipit --frontend-dir frontend/app/dist` (static files with the
   SPA fallback, see README), and open `http://127.0.0.1:5042/`.

Listening beyond loopback (`--api-host 0.0.0.0`), pipit's session cookie is rotki's Docker one:
the app's `POST /users/<name>/authenticate` (or the login) sets `rotki_session`, which then rides
every call, `/colibri/…` and the WebSocket. A dev server (`pnpm run dev`, port 5173) works too with
`VITE_BACKEND_URL=http://127.0.0.1:5042` and `pipit --api-cors 'http://localhost:*'`.

## Counts

{counts}

## Start-up and login, in the order the app makes them

(a) before login, (b) while creating or logging in, (c) right after login until the dashboard
shows (`use-session-load.ts`, `use-unlock-steps.ts`; `GET /blockchains/supported` is awaited
before the rest).

| phase | method | path | status |
|---|---|---|---|
{phases}

## Every call, by screen

| screen | method | path | status | module | note |
|---|---|---|---|---|---|
{rows}
"""


def markdown(repo, calls):
    import frontend_calls_status as st
    commit = git(repo, 'rev-parse', '--short=12', 'HEAD').strip()
    rows, counts, phases = [], {}, []
    for (m, p), fs in sorted(calls.items(), key=lambda kv: (st.screen_of(kv[1]), kv[0][1], kv[0][0])):
        status, module, note = st.status_of(m, p)
        key = status.split(' (')[0] if status.startswith('owned') else status
        counts[key] = counts.get(key, 0) + 1
        rows.append(f'| {st.screen_of(fs)} | {m} | `{p}` | {status} | {module} | {note} |')
    for (m, p), phase in sorted(st.PHASES.items(), key=lambda kv: kv[1]):
        phases.append(f'| {phase} | {m} | `{p}` | {st.status_of(m, p)[0]} |')
    count_text = f'{len(calls)} distinct calls: ' + ', '.join(f'{n} {k}' for k, n in sorted(counts.items()))
    return INTRO.format(commit=commit, counts=count_text, phases='\n'.join(phases), rows='\n'.join(rows))


def main():
    repo = '/work/.mirror/rotki+rotki/repo'
    if '--repo' in sys.argv:
        repo = sys.argv[sys.argv.index('--repo') + 1]
    calls, unresolved = extract(repo)
    if '--markdown' in sys.argv:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        sys.stdout.write(markdown(repo, calls))
        return
    if '--json' in sys.argv:
        json.dump({'calls': [{'method': m, 'path': p, 'files': sorted(fs)} for (m, p), fs in sorted(calls.items(), key=lambda kv: (kv[0][1], kv[0][0]))],
                   'unresolved': [{'method': m, 'arg': a, 'file': f} for m, a, f in unresolved]}, sys.stdout, indent=1)
        return
    for (m, p), fs in sorted(calls.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f'{m:6} {p}  [{", ".join(sorted(fs))}]')
    print(f'# {len(calls)} distinct calls; {len(unresolved)} with a non-literal url:')
    for m, a, f in unresolved:
        print(f'#   {m} {a}  [{f}]')


if __name__ == '__main__':
    main()
