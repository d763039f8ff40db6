#!/bin/sh
# selftest.sh — checks the chain peers end to end and prints their figures: install.sh, a 100 x 20
# fixture, bench_ethers.js straight and through proxy.js (50 ms, 50 calls/s), and the nginx TLS
# front of chainpeers.py (curl trusting the test CA gets through; a certificate for another name or
# from an unknown CA is refused; ethers reads through it). Exits non-zero on any failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }
die() { echo "selftest: $*" >&2; exit 1; }

# start NAME FD SCRIPT ARGS...: runs a peer with a fifo as stdin, its write end held open on FD
# (so the peer exits when this script does), and waits for the JSON line it prints when ready
start() {
  name=$1 fd=$2 script=$3
  shift 3
  mkfifo "$tmp/$name.in"
  node "$here/$script" "$@" <"$tmp/$name.in" >"$tmp/$name.json" 2>"$tmp/$name.err" &
  pid=$!
  pids="$pids $pid"
  eval "exec $fd>\"$tmp/$name.in\""
  i=0
  until [ "$(tail -c1 "$tmp/$name.json" | od -An -tx1 | tr -d ' ')" = 0a ]; do
    kill -0 "$pid" 2>/dev/null || die "$script exited: $(cat "$tmp/$name.err")"
    i=$((i + 1)); [ $i -lt 1800 ] || die "$script not ready after 180 s"
    sleep 0.1
  done
}
field() { node -p "require('$tmp/$1.json').$2"; }

t=$(now); "$here/install.sh"; echo "install.sh: $(since "$t") s"

t=$(now)
start fixture 3 fixture.js --accounts 100 --tokens 20
echo "fixture 100 x 20: ready in $(since "$t") s — $(cat "$tmp/fixture.err")"
rpc=$(field fixture rpc_url)

echo "straight to ganache:"
node "$here/bench_ethers.js" --fixture "$tmp/fixture.json" | sed 's/^/  /'

start proxy 4 proxy.js --target "$rpc" --delay-ms 50 --calls-per-second 50
px=$(field proxy url)
echo "through proxy.js (50 ms per request, 50 calls/s):"
for way in naive multicall3; do
  curl -sf -X POST "$px/reset" >/dev/null
  out=$(node "$here/bench_ethers.js" --fixture "$tmp/fixture.json" --rpc "$px" --way $way)
  echo "  $out proxy $(curl -sf "$px/stats")"
done

echo "nginx TLS front (chainpeers.py):"
PYTHONPATH="$here/../integration" python3 - "$tmp" "$rpc" <<'PY'
import json, os, subprocess, sys
import chainpeers as cp
tmp, rpc = sys.argv[1], sys.argv[2]
certs = cp.make_ca(os.path.join(tmp, "certs"))
body = '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}'

def curl(url, *args):
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "-H", "Content-Type: application/json", "-d", body,
                        *args, url], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""

good = cp.start_tls_front(certs.localhost_cert, certs.localhost_key, rpc)
rc, out, _ = curl(good.url, "--cacert", certs.ca_cert)
assert rc == 0 and json.loads(out)["result"] == "0x539", (rc, out)
print(f"  curl --cacert ca.pem {good.url}: ok, {out}")
for name, cert, key in (("other.example", certs.other_cert, certs.other_key),
                        ("self-signed", certs.selfsigned_cert, certs.selfsigned_key)):
    front = cp.start_tls_front(cert, key, rpc)
    rc, out, err = curl(front.url, "--cacert", certs.ca_cert)
    assert rc != 0 and not out, (name, rc, out)
    print(f"  {name} certificate: refused as it should be (curl exit {rc}: {err})")
    front.stop()
env = dict(os.environ, NODE_EXTRA_CA_CERTS=certs.ca_cert)
r = subprocess.run(["node", os.path.join(os.path.dirname(cp.__file__), "..", "chain", "bench_ethers.js"),
                    "--fixture", os.path.join(tmp, "fixture.json"), "--rpc", good.url, "--way", "multicall3"],
                   capture_output=True, text=True, env=env)
assert r.returncode == 0, r.stderr
print(f"  ethers through it: {r.stdout.strip()}")
PY
echo "selftest: ok"
