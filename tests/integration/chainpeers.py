"""Peers for the EVM chain-client tests and bench: a ganache chain with known balances
(tests/chain/fixture.js), a slow rate-limited RPC proxy (tests/chain/proxy.js), a TLS front
(Debian's nginx) with test certificates made by the openssl CLI, an RPC that answers garbage and a
URL where nothing listens. Python stdlib only. Every process started here is stopped at exit, even
when a test fails; the node peers also stop when this process dies (they watch their stdin pipe).

    install()                                        npm packages of tests/chain (once per lock)
    start_chain(accounts=100, tokens=20, multicall=True, port=0, odd_tokens=False) -> .info .url .stop()
    start_proxy(target_url, delay_ms=50, cps=50)     -> .url .stats() .reset() .stop()
    make_ca(dirpath)                                 -> paths of a CA and three server certs
    start_tls_front(cert, key, upstream_url)         -> .url (https://localhost:PORT) .stop()
    start_garbage_rpc(body="text")                   -> .url .body .requests .stop()
    dead_url()                                       -> http://127.0.0.1:PORT, nothing listening
"""
import atexit
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import types
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHAIN_DIR = os.path.join(ROOT, "tests", "chain")
NODE = os.environ.get("PIPIT_NODE", "node")
NGINX = os.environ.get("PIPIT_NGINX", "/usr/sbin/nginx")
OPENSSL = os.environ.get("PIPIT_OPENSSL", "openssl")

_live = []  # peers to stop at exit, newest last
_held = []  # sockets dead_url() keeps bound so nobody else takes their ports


@atexit.register
def _stop_all():
    for peer in reversed(list(_live)):
        peer.stop()


def install():
    """npm ci of tests/chain's pinned packages; a no-op when node_modules matches the lock."""
    subprocess.run([os.path.join(CHAIN_DIR, "install.sh")], check=True)


class NodePeer:
    """A node script (of tests/chain unless directory says otherwise) that prints one JSON line on
    stdout when ready. Its stdin is a pipe from here, so it exits with this process even when
    atexit does not run (SIGKILL). label names it in failure messages."""

    def __init__(self, script, args, timeout, directory=CHAIN_DIR, label=None):
        self.proc = subprocess.Popen([NODE, os.path.join(directory, script)] + args, cwd=directory,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _live.append(self)
        self.log = []  # stderr lines, for failure messages
        self._log_reader = threading.Thread(target=self._read_log, daemon=True)
        self._log_reader.start()
        first = []
        reader = threading.Thread(target=lambda: first.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = first[0] if first else b""
        try:
            self.info = json.loads(line)
        except ValueError:
            self.stop()
            self._log_reader.join(5)
            why = "timed out" if not first else "exited" if not line else "printed no JSON"
            raise AssertionError(f"{label or script} {why}: {line[:200]!r}\n" + "".join(self.log)) from None

    def _read_log(self):
        for raw in self.proc.stderr:
            self.log.append(raw.decode("utf-8", "replace"))

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        if self in _live:
            _live.remove(self)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Chain(NodePeer):
    """fixture.js: .info is its JSON (rpc_url, chain_id, multicall, tokens, accounts, balances, and
    with odd_tokens the odd_tokens list)."""

    def __init__(self, accounts=100, tokens=20, multicall=True, port=0, odd_tokens=False):
        args = ["--accounts", str(accounts), "--tokens", str(tokens), "--port", str(port)]
        args += ([] if multicall else ["--no-multicall"]) + (["--odd-tokens"] if odd_tokens else [])
        super().__init__("fixture.js", args, timeout=180)
        self.url = self.info["rpc_url"]


class Proxy(NodePeer):
    """proxy.js in front of target_url: delay_ms per request, at most cps JSON-RPC calls a second."""

    def __init__(self, target_url, delay_ms=50, cps=50):
        args = ["--target", target_url, "--delay-ms", str(delay_ms), "--calls-per-second", str(cps)]
        super().__init__("proxy.js", args, timeout=30)
        self.url = self.info["url"]

    def _ask(self, method, path):
        u = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        conn.request(method, path)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert resp.status == 200, (resp.status, body)
        return json.loads(body)

    def stats(self):
        """{"round_trips": HTTP requests forwarded, "calls": JSON-RPC calls charged}"""
        return self._ask("GET", "/stats")

    def reset(self):
        return self._ask("POST", "/reset")


def start_chain(accounts=100, tokens=20, multicall=True, port=0, odd_tokens=False):
    return Chain(accounts, tokens, multicall, port, odd_tokens)


def start_proxy(target_url, delay_ms=50, cps=50):
    return Proxy(target_url, delay_ms, cps)


# --- certificates -------------------------------------------------------------------------------

# our own config, so neither the system's openssl.cnf nor OPENSSL_CONF adds or clashes with
# extensions; EC P-256 keys (fast to make, what public RPC endpoints mostly serve)
_OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[localhost]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[other]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[selfsigned]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
"""
_NEWKEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def _openssl(*args):
    r = subprocess.run([OPENSSL] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args[:2])} failed: {r.stderr.strip()}")


def make_ca(dirpath):
    """Makes in dirpath a test CA and, as PEM files:
    localhost_cert/key   CN and SAN localhost + IP 127.0.0.1, signed by the CA
    other_cert/key       SAN other.example only, signed by the same CA (a name mismatch)
    selfsigned_cert/key  localhost, self-signed: from a CA nobody trusts
    Returns a namespace of the paths: ca_cert, ca_key, localhost_cert, localhost_key, ..."""
    os.makedirs(dirpath, exist_ok=True)
    p = lambda name: os.path.join(dirpath, name)
    cnf = p("openssl.cnf")
    with open(cnf, "w") as f:
        f.write(_OPENSSL_CNF)
    _openssl("req", "-x509", "-config", cnf, "-extensions", "ca", *_NEWKEY, "-keyout", p("ca.key"),
             "-out", p("ca.pem"), "-days", "365", "-subj", "/CN=pipit test CA")
    for name, cn in (("localhost", "localhost"), ("other", "other.example")):
        _openssl("req", "-new", "-config", cnf, *_NEWKEY, "-keyout", p(name + ".key"), "-out", p(name + ".csr"),
                 "-subj", "/CN=" + cn)
        _openssl("x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
                 "-set_serial", "0x" + os.urandom(8).hex(), "-days", "365", "-extfile", cnf,
                 "-extensions", name, "-out", p(name + ".pem"))
        os.remove(p(name + ".csr"))
    _openssl("req", "-x509", "-config", cnf, "-extensions", "selfsigned", *_NEWKEY, "-keyout", p("selfsigned.key"),
             "-out", p("selfsigned.pem"), "-days", "365", "-subj", "/CN=localhost")
    return types.SimpleNamespace(
        ca_cert=p("ca.pem"), ca_key=p("ca.key"),
        localhost_cert=p("localhost.pem"), localhost_key=p("localhost.key"),
        other_cert=p("other.pem"), other_key=p("other.key"),
        selfsigned_cert=p("selfsigned.pem"), selfsigned_key=p("selfsigned.key"))


# --- TLS front ----------------------------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TlsFront:
    """Debian's nginx terminating TLS on 127.0.0.1 (url https://localhost:PORT) and passing
    requests to an http:// upstream over kept-alive HTTP/1.1 connections. Its prefix, config,
    pid, temp dirs and logs live in a temp dir; it runs in the foreground (daemon off)."""

    def __init__(self, cert, key, upstream_url):
        u = urllib.parse.urlsplit(upstream_url)
        if u.scheme != "http" or not u.port:
            raise ValueError(f"upstream must be http://HOST:PORT[/path], not {upstream_url}")
        self.dir = tempfile.mkdtemp(prefix="pipit-nginx-")
        self.proc = None
        _live.append(self)
        for _ in range(5):  # the free port may be taken before nginx binds it
            self.port = _free_port()
            if self._start(os.path.abspath(cert), os.path.abspath(key), u):
                self.url = f"https://localhost:{self.port}"
                return
            if "Address already in use" not in self.log():
                break
        log = self.log()
        self.stop()
        raise AssertionError("nginx did not start:\n" + log)

    def _start(self, cert, key, u):
        d = self.dir
        # as root the workers would run as nobody and could not enter the 0700 temp dir
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = f"""{user}daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {d}/access.log;
    # the compiled-in temp paths are under /var/lib/nginx, not writable by a normal user
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    upstream rpc {{
        server {u.hostname}:{u.port};
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        client_max_body_size 0;  # big multicall bodies
        location / {{
            proxy_pass http://rpc{u.path if u.path not in ("", "/") else ""};
            proxy_http_version 1.1;
            proxy_set_header Connection "";  # keep upstream connections alive
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_read_timeout 600s;  # a rate-limited upstream queues requests for a long time
        }}
    }}
}}
"""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        with open(os.path.join(d, "error.log"), "w"):
            pass  # truncated: log() reads this attempt's errors only
        self.proc = subprocess.Popen([NGINX, "-p", d + "/", "-c", os.path.join(d, "nginx.conf"),
                                      "-e", os.path.join(d, "error.log")],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        t_end = time.time() + 15
        while time.time() < t_end and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.02)
        return False

    def log(self):
        try:
            with open(os.path.join(self.dir, "error.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in _live:
            _live.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_tls_front(cert, key, upstream_url):
    return TlsFront(cert, key, upstream_url)


# --- broken endpoints ---------------------------------------------------------------------------

def _garbage(kind, request):
    """The body a garbage RPC answers `request` (bytes) with, for kind:
    "text"       plain text, not JSON
    "truncated"  a JSON-RPC response cut off in the middle
    "wrong_ids"  a JSON array of well-formed responses whose ids match no request id
    bytes        sent as they are"""
    if isinstance(kind, bytes):
        return kind
    if kind == "text":
        return b"garbage text, not JSON-RPC\n"
    if kind == "truncated":
        return b'{"jsonrpc":"2.0","id":1,"result":"0x00000000000000000000000000000000000000000000000000000000'
    if kind == "wrong_ids":
        try:
            req = json.loads(request)
        except ValueError:
            req = {}
        items = req if isinstance(req, list) else [req]
        ids = [i.get("id") if isinstance(i, dict) else None for i in items]
        wrong = [(x if isinstance(x, int) else 0) + 1_000_000 for x in ids]
        return json.dumps([{"jsonrpc": "2.0", "id": w, "result": "0x1"} for w in wrong]).encode()
    raise ValueError(f"unknown garbage kind {kind!r}")


class GarbageRpc:
    """An HTTP server on 127.0.0.1 answering every POST with 200, Content-Type application/json
    and a body that is not a usable JSON-RPC answer (see _garbage). Set .body to switch kinds;
    .requests counts the POSTs."""

    def __init__(self, body="text"):
        _garbage(body, b"")  # reject an unknown kind here, not in the server thread
        self.body = body
        self.requests = 0
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real node

            def do_POST(self):
                request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                peer.requests += 1
                out = _garbage(peer.body, request)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        _live.append(self)

    def stop(self):
        if self in _live:
            _live.remove(self)
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_garbage_rpc(body="text"):
    return GarbageRpc(body)


def dead_url():
    """http://127.0.0.1:PORT where connecting is refused: the port stays bound (not listening)
    by this process, so no other program can start listening there during the tests."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _held.append(s)
    return f"http://127.0.0.1:{s.getsockname()[1]}"
