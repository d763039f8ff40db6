"""make bench: pipit side by side with nginx (one worker, static answers: the near-limit) and small
servers written to behave as rotki's two Python stacks do (tests/bench/peers: Flask + gevent +
gevent-websocket, FastAPI + uvicorn + websockets), on this machine, in one run, with the same
clients: wrk for HTTP (GET /api/1/ping, GET /api/1/settings from a rotki-schema SQLite DB — pipit's
from the logged-in user's SQLCipher DB), tests/bench/wsload.c for WebSockets (idle clients, the
server's RSS before and after, broadcast latency through PUT /api/1/messages). Prints one table
and writes it (text and markdown) and a chart (SVG, gnuplot) under the output folder."""
import argparse
import json
import os
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

PY = "/usr/bin/python3"
SERVERS = ("nginx", "Flask+gevent", "FastAPI+uvicorn", "pipit")
# what a node holding 10,000 WebSocket clients is started with (README, Benchmarks)
PIPIT_FLAGS = ["--max-connections", "10100", "--heap-budget", "64M"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def wait_http(port, path="/api/1/ping", timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def wrk(port, path, seconds, conns=64):
    """wrk's figures: (req/s, p50 ms, p99 ms, errors, the command). One wrk thread: every server
    here but nginx's single worker is one thread too, and they share the machine's cores."""
    url = f"http://127.0.0.1:{port}{path}"
    subprocess.run(["wrk", "-t1", "-c8", "-d1s", url], capture_output=True)  # warm-up
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout

    def lat(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out)
        if not m:
            return None
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    s = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if s:
        errors += sum(int(x) for x in s.groups())
    return {"rps": float(m.group(1)) if m else 0.0, "p50": lat(50), "p99": lat(99), "errors": errors,
            "cmd": " ".join(cmd)}


def wsload(binary, port, pid, clients, rounds, probe=None):
    cmd = [binary, "--port", str(port), "--clients", str(clients), "--rounds", str(rounds), "--pid", str(pid)]
    if probe:
        cmd += ["--probe", probe]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    try:
        r = json.loads(p.stdout)
    except ValueError:
        r = {"error": (p.stdout + p.stderr)[-300:]}
    r["cmd"] = " ".join(cmd[:8])
    return r


def rotki_value(v):
    """A setting as rotki stores it in its `settings` table (TEXT)."""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return str(v)


def prepare_pipit_user(n):
    """Logs a user in and stores every writable setting (its default value) so that its DB has
    a row per setting, as the peers' DB does; returns the settings answer (bytes, parsed)."""
    st, _, msg = n.call("PUT", "/api/1/users", {"name": "bench", "password": "bench pass"}, timeout=120)
    if st != 200:
        raise RuntimeError(f"pipit: user creation failed: {msg}")
    _, settings, _ = n.call("GET", "/api/1/settings")
    for k, v in settings.items():
        if v is not None:
            n.call("PUT", "/api/1/settings", {"settings": {k: v}})  # read-only keys answer 400: kept out
    raw = urllib.request.urlopen(f"http://127.0.0.1:{n.port}/api/1/settings").read()
    return raw, json.loads(raw)["result"]


def make_rotki_db(path, settings):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE settings (name VARCHAR[24] NOT NULL PRIMARY KEY, value TEXT)")
    db.executemany("INSERT INTO settings(name, value) VALUES (?, ?)",
                   [(k, rotki_value(v)) for k, v in settings.items() if v is not None and k != "have_premium"])
    db.commit()
    db.close()


NGINX_CONF = """worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {d}/tmp;
    proxy_temp_path {d}/tmp;
    fastcgi_temp_path {d}/tmp;
    uwsgi_temp_path {d}/tmp;
    scgi_temp_path {d}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location = /api/1/ping {{ default_type application/json; return 200 '{{"result": true, "message": ""}}'; }}
        location = /api/1/settings {{ default_type application/json; alias {d}/settings.json; }}
    }}
}}
"""


class Proc:
    def __init__(self, cmd, cwd=None):
        self.p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def pids(self):
        return [self.p.pid] + children(self.p.pid)

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


class Server:
    """One server under test, started afresh for each phase (so that memory one phase freed does
    not flatter the next one's RSS figures): start() returns (port, pids(), the pid to watch)."""

    def __init__(self, name, start, ws=True, node=None):
        self.name, self.start, self.ws, self.node = name, start, ws, node


def measure(srv, args, out):
    r = {}
    port, pids, stop = srv.start()
    try:
        print(f"  {srv.name}: port {port}", flush=True)
        r["idle_rss_kib"] = rss_kib(pids())
        r["ping"] = wrk(port, "/api/1/ping", args.seconds)
        r["settings"] = wrk(port, "/api/1/settings", args.seconds)
    finally:
        stop()
    print(f"    ping {r['ping']['rps']:.0f} req/s p99 {r['ping']['p99']} ms; settings {r['settings']['rps']:.0f} req/s "
          f"p99 {r['settings']['p99']} ms, non-2xx/socket errors {r['settings']['errors']}   [{r['settings']['cmd']}]",
          flush=True)
    for clients, rounds in ((1000, 10), (10000, 5)):
        if not srv.ws or clients > args.max_clients:
            continue
        port, pids, stop = srv.start()
        try:
            node = srv.node[0] if srv.node else None
            heap0 = node.info()["allocator"]["live"] if node else None
            w = wsload(args.wsload, port, pids()[0], clients, rounds, probe="/api/1/info" if node else None)
            if node and isinstance(w.get("probe"), dict):
                heap1 = w["probe"]["result"]["pipit"]["allocator"]["live"]
                w["heap_per_client"] = (heap1 - heap0) / max(w.get("connected", 1), 1)
            w.pop("probe", None)
        finally:
            stop()
        r[f"ws{clients}"] = w
        shown = {k: w.get(k) for k in ("connected", "failed", "connect_s", "bytes_per_client", "bcast_p50_ms",
                                       "bcast_p99_ms", "missed", "heap_per_client", "error") if k in w}
        print(f"    {clients} WS clients: {json.dumps(shown)}   [{w['cmd']} …]", flush=True)
    out[srv.name] = r


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return f"{v:,}{unit}"
    if abs(v) >= 100:
        s = f"{v:,.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}"
    return s + unit


def rows(res):
    def g(name, *keys):
        v = res.get(name)
        for k in keys:
            if not isinstance(v, dict):
                return None
            v = v.get(k)
        return v

    def ws(name, n, key):
        w = g(name, f"ws{n}")
        if not isinstance(w, dict) or "error" in w or not w.get("connected"):
            return None
        if key in ("bcast_p50_ms", "bcast_p99_ms") and w.get("deliveries", 0) == 0:
            return None
        return w.get(key)
    # (label, unit, higher is better, value per server)
    out = [
        ("GET /api/1/ping req/s", "", True, lambda s: g(s, "ping", "rps")),
        ("GET /api/1/ping p99", " ms", False, lambda s: g(s, "ping", "p99")),
        ("GET /api/1/settings req/s", "", True, lambda s: g(s, "settings", "rps")),
        ("GET /api/1/settings p50", " ms", False, lambda s: g(s, "settings", "p50")),
        ("GET /api/1/settings p99", " ms", False, lambda s: g(s, "settings", "p99")),
        ("HTTP errors (non-2xx, socket)", "", False,
         lambda s: (g(s, "ping", "errors") or 0) + (g(s, "settings", "errors") or 0) if s in res else None),
        ("idle RSS", " MiB", False, lambda s: (g(s, "idle_rss_kib") or 0) / 1024 or None),
    ]
    for n in (1000, 10000):
        out += [
            (f"{n:,} WS clients connected", "", True, lambda s, n=n: ws(s, n, "connected")),
            (f"{n:,} WS: connect time", " s", False, lambda s, n=n: ws(s, n, "connect_s")),
            (f"{n:,} WS: RSS per idle client", " B", False, lambda s, n=n: ws(s, n, "bytes_per_client")),
            (f"{n:,} WS: broadcast p50", " ms", False, lambda s, n=n: ws(s, n, "bcast_p50_ms")),
            (f"{n:,} WS: broadcast p99", " ms", False, lambda s, n=n: ws(s, n, "bcast_p99_ms")),
            (f"{n:,} WS: deliveries missed", "", False, lambda s, n=n: ws(s, n, "missed")),
        ]
    return out


def ratio(pipit, peer, higher_better):
    if pipit is None or peer is None or pipit == 0 or peer == 0:
        return None
    return pipit / peer if higher_better else peer / pipit


def table(res):
    """(header, lines) with the figures and, per peer, how many times better pipit is (>1: pipit
    better; for rates pipit/peer, for times and memory peer/pipit)."""
    head = ["metric"] + list(SERVERS) + [f"pipit vs {s}" for s in SERVERS[:-1]]
    lines = []
    for label, unit, hb, fn in rows(res):
        vals = [fn(s) for s in SERVERS]
        if label.endswith("missed") or label.startswith("HTTP errors"):
            lines.append([label] + [fmt(v) for v in vals] + ["", "", ""])
            continue
        rat = [ratio(vals[-1], v, hb) for v in vals[:-1]]
        lines.append([label] + [fmt(v, unit) for v in vals] + [("×" + fmt(r)) if r else "n/a" for r in rat])
    return head, lines


def render_text(head, lines):
    w = [max(len(str(r[i])) for r in [head] + lines) for i in range(len(head))]
    out = ["  ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i]) for i, c in enumerate(r)) for r in [head] + lines]
    out.insert(1, "  ".join("-" * x for x in w))
    return "\n".join(out)


def render_md(head, lines):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in lines]
    return "\n".join(out)


def chart(res, outdir):
    """Four panels, one bar per server: settings req/s, settings p99, RSS per idle WS client and
    broadcast p99 at 1,000 and 10,000 clients (log scales: the stacks differ by orders)."""
    gp = shutil.which("gnuplot")
    if not gp:
        return None
    dat = os.path.join(outdir, "compare.dat")
    panels = [("settings req/s", lambda s: res[s]["settings"]["rps"]),
              ("settings p99 ms", lambda s: res[s]["settings"]["p99"]),
              ("ping req/s", lambda s: res[s]["ping"]["rps"])]
    with open(dat, "w") as f:
        f.write("server " + " ".join(f'"{p[0]}"' for p in panels) +
                ' "RSS/client 1k B" "RSS/client 10k B" "bcast p99 1k ms" "bcast p99 10k ms"\n')
        for s in SERVERS:
            vals = [p[1](s) or 0 for p in panels]
            for n in (1000, 10000):
                w = res[s].get(f"ws{n}") or {}
                vals.append(w.get("bytes_per_client") or 0)
            for n in (1000, 10000):
                w = res[s].get(f"ws{n}") or {}
                vals.append(w.get("bcast_p99_ms") if w.get("deliveries") else 0)
            f.write(f'"{s}" ' + " ".join(f"{v if v and v > 0 else 'NaN'}" for v in vals) + "\n")
    svg = os.path.join(outdir, "compare.svg")
    script = f"""set terminal svg size 1200,800 dynamic font "sans,11"
set output '{svg}'
set datafile missing 'NaN'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set logscale y
set grid ytics
set key off
set xtics rotate by -20
set multiplot layout 2,2 title "pipit vs nginx and rotki's two Python stacks (same machine, same clients: wrk, wsload)"
set title "GET /api/1/settings and /ping, requests/s (higher is better)"
set key top left
plot '{dat}' using 2:xtic(1) title 'settings', '' using 4 title 'ping'
set title "GET /api/1/settings p99 latency, ms (lower is better)"
set key off
plot '{dat}' using 3:xtic(1) title 'p99'
set title "server RSS per idle WebSocket client, bytes (lower is better)"
set key top left
plot '{dat}' using 5:xtic(1) title '1,000 clients', '' using 6 title '10,000 clients'
set title "broadcast p99 latency, ms (lower is better)"
plot '{dat}' using 7:xtic(1) title '1,000 clients', '' using 8 title '10,000 clients'
unset multiplot
"""
    gpf = os.path.join(outdir, "compare.gp")
    with open(gpf, "w") as f:
        f.write(script)
    p = subprocess.run([gp, gpf], capture_output=True, text=True)
    if p.returncode != 0:
        print("gnuplot: " + p.stderr[-500:])
        return None
    return svg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipit", default="build/linux/pipit")
    ap.add_argument("--wsload", default="build/linux/wsload")
    ap.add_argument("--out", default="build/linux/bench")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--max-clients", type=int, default=10000)
    args = ap.parse_args()
    harness.PIPIT = args.pipit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by every server and wsload
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="pipit-compare-")
    os.chmod(tmp, 0o755)  # nginx's worker (nobody) reads settings.json there
    print(f"side by side: nginx, Flask+gevent, FastAPI+uvicorn, pipit   [tests/bench/bench_compare.py; "
          f"wrk -t1 -c64 -d{args.seconds}s; wsload; fd limit {hard}]", flush=True)
    res = {}
    try:
        data_dir = os.path.join(tmp, "pipit-data")
        node = [None]

        def start_pipit():
            n = harness.Node(*PIPIT_FLAGS, data_dir=data_dir)
            st, _, msg = n.call("POST", "/api/1/users/bench", {"password": "bench pass"}, timeout=120)
            if st != 200:
                n.stop()
                raise RuntimeError(f"pipit: login failed: {msg}")
            node[0] = n

            def stop():
                node[0] = None
                n.stop()
            return n.port, lambda: [n.proc.pid], stop

        with harness.Node(*PIPIT_FLAGS, data_dir=data_dir) as n:
            raw, settings = prepare_pipit_user(n)
        with open(os.path.join(tmp, "settings.json"), "wb") as f:
            f.write(raw)
        os.chmod(os.path.join(tmp, "settings.json"), 0o644)
        defaults = os.path.join(tmp, "defaults.json")
        with open(defaults, "w") as f:
            json.dump(settings, f)
        db = os.path.join(tmp, "rotki.db")
        make_rotki_db(db, settings)
        os.makedirs(os.path.join(tmp, "tmp"), exist_ok=True)

        def start_nginx():
            port = free_port()
            conf = os.path.join(tmp, "nginx.conf")
            with open(conf, "w") as f:
                f.write(NGINX_CONF.format(d=tmp, port=port))
            p = Proc(["nginx", "-c", conf, "-p", tmp])
            wait_http(port)
            return port, p.pids, p.stop

        def start_peer(script):
            def start():
                port = free_port()
                peers = os.path.join(HERE, "peers")
                p = Proc([PY, os.path.join(peers, script), str(port), db, defaults], cwd=peers)
                try:
                    wait_http(port)
                except RuntimeError:
                    p.stop()
                    raise
                return port, p.pids, p.stop
            return start

        for srv in (Server("nginx", start_nginx, ws=False),
                    Server("Flask+gevent", start_peer("flask_gevent.py")),
                    Server("FastAPI+uvicorn", start_peer("fastapi_uvicorn.py")),
                    Server("pipit", start_pipit, node=node)):
            measure(srv, args, res)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    fl = subprocess.run([args.wsload, "--floor", str(min(10000, args.max_clients))], capture_output=True, text=True)
    try:
        res["floor"] = json.loads(fl.stdout)
    except ValueError:
        res["floor"] = {}
    head, lines = table(res)
    text = render_text(head, lines)
    print()
    print(f"pipit started with {' '.join(PIPIT_FLAGS)}; ratios: how many times better pipit is (rates pipit/peer, "
          "times and memory peer/pipit); nginx answers static bytes and has no WebSocket broadcast")
    print(text)
    floor = ""
    if res["floor"].get("floor_ms"):
        floor = (f"the machine's floor for one broadcast: {res['floor']['floor_ms']:.1f} ms to send() one 80-byte frame to "
                 f"each of {res['floor']['floor_clients']:,} loopback TCP sockets from one thread, no server around it "
                 f"({res['floor']['floor_us_per_send']:.1f} us each)   [{args.wsload} --floor {res['floor']['floor_clients']}]")
        print(floor)
    with open(os.path.join(args.out, "compare.txt"), "w") as f:
        f.write(text + "\n" + floor + "\n")
    with open(os.path.join(args.out, "compare.md"), "w") as f:
        f.write(render_md(head, lines) + "\n\n" + floor + "\n")
    with open(os.path.join(args.out, "compare.json"), "w") as f:
        json.dump(res, f, indent=1)
    svg = chart(res, args.out)
    print(f"table: {args.out}/compare.txt, {args.out}/compare.md; raw figures: {args.out}/compare.json; "
          f"chart: {svg or 'not drawn (no gnuplot)'}")
    s, f_ = res["pipit"]["settings"], res["FastAPI+uvicorn"]["settings"]
    if f_["rps"] and s["p99"] and f_["p99"]:
        print(f"settings read: pipit {s['rps'] / f_['rps']:.1f}x FastAPI's throughput (target >= 20), p99 "
              f"1/{f_['p99'] / s['p99']:.1f} of FastAPI's (target <= 1/20)")
    w = res["pipit"].get("ws10000")
    if w and w.get("connected"):
        print(f"10,000 clients on pipit: {w['connected']} connected, {w.get('bytes_per_client', 0):.0f} B RSS and "
              f"{w.get('heap_per_client', 0):.0f} B heap each (target <= 4096), broadcast p99 {w.get('bcast_p99_ms')} ms "
              "(target < 50)")


if __name__ == "__main__":
    main()
