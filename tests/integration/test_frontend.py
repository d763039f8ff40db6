"""--frontend-dir: a built web app served on the API's port (content types, index.html fallback
for page loads, ETag/304, .gz variants, HEAD, large files streamed, no way out of the folder)."""
import gzip
import hashlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading

from harness import PIPIT, RUN, Node, check, main, test

INDEX = b"<!doctype html><html><head><title>pipit test app</title></head><body>app</body></html>\n"
APP_JS = b"export const answer = 42;\n" * 200  # big enough that gzip pays
SECRET = b"secret outside the frontend folder\n"


class Site:
    """A small build of our own: tmp/site (served) beside tmp/secret.txt and tmp/outside/ (not)."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="pipit-fe-")
        self.root = os.path.join(self.tmp, "site")
        files = {
            "index.html": INDEX,
            "assets/app-4f2a9c1e.js": APP_JS,
            "assets/worker.mjs": b"self.onmessage = () => {};\n",
            "assets/style.css": b"body { color: #123; }\n",
            "assets/deep/nested/data.json": b'{"ok": true}\n',
            "assets/logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>\n',
            "assets/font.woff2": b"wOF2fake",
            "assets/mod.wasm": b"\0asm\1\0\0\0",
            "assets/app-4f2a9c1e.js.map": b'{"version": 3}\n',
            "manifest.webmanifest": b'{"name": "t"}\n',
            "favicon.ico": b"\0\0\1\0",
            "robots.txt": b"User-agent: *\n",
            "image.png": b"\x89PNG\r\n\x1a\nfake",
            "photo.jpg": b"\xff\xd8\xfffake",
            "plain": b"no extension\n",
            ".hidden": b"dotfile\n",
        }
        for rel, data in files.items():
            self.write(rel, data)
        with open(os.path.join(self.root, "assets/app-4f2a9c1e.js.gz"), "wb") as f:
            f.write(gzip.compress(APP_JS, mtime=0))
        self.big = os.urandom(3 * 1024 * 1024 + 123)
        self.write("assets/big.bin", self.big)
        with open(os.path.join(self.tmp, "secret.txt"), "wb") as f:
            f.write(SECRET)
        os.makedirs(os.path.join(self.tmp, "outside"))
        with open(os.path.join(self.tmp, "outside", "secret.txt"), "wb") as f:
            f.write(SECRET)
        os.symlink(os.path.join(self.tmp, "secret.txt"), os.path.join(self.root, "link-out.txt"))
        os.symlink(os.path.join(self.tmp, "outside"), os.path.join(self.root, "dir-out"))
        os.symlink("assets/style.css", os.path.join(self.root, "alias.css"))  # a link that stays inside

    def write(self, rel, data):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def fetch(n, path, method="GET", headers=None):
    """(status, headers as a lower-case dict, body) over http.client."""
    conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=20)
    conn.request(method, path, headers=headers or {})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def raw(n, target, extra=""):
    """Sends the request line exactly as given (http.client would normalise it); the status
    (0 when the node closed without answering) and the whole answer."""
    s = socket.create_connection(("127.0.0.1", n.port), timeout=10)
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n".encode("latin-1"))
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else 0
    return status, data


def with_site(fn):
    site = Site()
    try:
        with Node("--frontend-dir", site.root) as n:
            fn(n, site)
    finally:
        site.close()


@test
def files_are_served_with_their_content_types():
    def body(n, site):
        want = {
            "/": ("text/html; charset=utf-8", INDEX),
            "/index.html": ("text/html; charset=utf-8", INDEX),
            "/assets/app-4f2a9c1e.js": ("text/javascript; charset=utf-8", APP_JS),
            "/assets/worker.mjs": ("text/javascript; charset=utf-8", None),
            "/assets/style.css": ("text/css; charset=utf-8", None),
            "/assets/deep/nested/data.json": ("application/json", b'{"ok": true}\n'),
            "/assets/logo.svg": ("image/svg+xml", None),
            "/assets/font.woff2": ("font/woff2", None),
            "/assets/mod.wasm": ("application/wasm", None),
            "/assets/app-4f2a9c1e.js.map": ("application/json", None),
            "/manifest.webmanifest": ("application/manifest+json", None),
            "/favicon.ico": ("image/x-icon", None),
            "/robots.txt": ("text/plain; charset=utf-8", None),
            "/image.png": ("image/png", None),
            "/photo.jpg": ("image/jpeg", None),
            "/plain": ("application/octet-stream", b"no extension\n"),
            "/alias.css": ("text/css; charset=utf-8", b"body { color: #123; }\n"),  # link inside the folder
            "/index.html?v=3": ("text/html; charset=utf-8", INDEX),
        }
        for path, (ctype, content) in want.items():
            st, h, b = fetch(n, path)
            check(st == 200, (path, st, b[:200]))
            check(h["content-type"] == ctype, (path, h))
            check(h["x-content-type-options"] == "nosniff", h)
            check(int(h["content-length"]) == len(b), (path, h))
            if content is not None:
                check(b == content, (path, b[:100]))
        # caching: the page and unhashed names are revalidated, content-hashed names kept a year
        check(fetch(n, "/")[1]["cache-control"] == "no-cache", "index.html must be no-cache")
        check(fetch(n, "/assets/style.css")[1]["cache-control"] == "no-cache", "unhashed name")
        check("immutable" in fetch(n, "/assets/app-4f2a9c1e.js")[1]["cache-control"], "hashed name")
        # the API is untouched beside it
        st, js, _ = n.request("GET", "/api/1/ping")
        check(st == 200 and js["result"] is True, js)

    with_site(body)


@test
def page_loads_fall_back_to_index_html_and_the_api_keeps_its_404():
    def body(n, site):
        page = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
        for route in ("/dashboard", "/accounts/evm/balances", "/settings/general", "/assets/missing-page"):
            st, h, b = fetch(n, route, headers=page)
            check(st == 200 and b == INDEX, (route, st, b[:100]))
            check(h["content-type"].startswith("text/html") and h["cache-control"] == "no-cache", h)
        # not a page load (a script, an image, fetch()): a missing file stays a 404
        for route, accept in (("/assets/missing.js", "*/*"), ("/dashboard", None), ("/x.png", "image/*")):
            st, h, b = fetch(n, route, headers={"Accept": accept} if accept else {})
            check(st == 404 and b == b"not found\n", (route, st, b[:100]))
        check(fetch(n, "/dashboard", headers={"Accept": "text/html;q=0"})[0] == 404, "q=0 refuses html")
        # the API, /ws and /colibri are never the frontend's
        for path in ("/api/1/nothing-here", "/api", "/api/2/x", "/colibri/anything", "/ws"):
            st, h, b = fetch(n, path, headers=page)
            check(st == 404 and h["content-type"] == "application/json" and b"result" in b, (path, st, b[:120]))
        st, _, _ = fetch(n, "/api/1/ping", method="HEAD")
        check(st == 405, "HEAD on the API stays 405")

    with_site(body)


@test
def matching_etag_answers_304():
    def body(n, site):
        st, h, b = fetch(n, "/assets/style.css")
        etag = h["etag"]
        check(st == 200 and etag.startswith('"') and etag.endswith('"'), h)
        for inm in (etag, "W/" + etag, '"other", ' + etag, "*"):
            st, h2, b2 = fetch(n, "/assets/style.css", headers={"If-None-Match": inm})
            check(st == 304 and b2 == b"", (inm, st, b2))
            check(h2["etag"] == etag and h2["cache-control"] == "no-cache" and "content-type" not in h2, h2)
        st, _, b = fetch(n, "/assets/style.css", headers={"If-None-Match": '"stale"'})
        check(st == 200 and b == b"body { color: #123; }\n", st)
        # the fallback page has index.html's tag: a page load revalidates too
        st, h3, _ = fetch(n, "/some/route", headers={"Accept": "text/html", "If-None-Match": fetch(n, "/")[1]["etag"]})
        check(st == 304, (st, h3))
        # a changed file gets a new tag
        path = os.path.join(site.root, "assets/style.css")
        site.write("assets/style.css", b"body { color: #456; }\n")
        os.utime(path, (1_700_000_000, 1_700_000_000))
        st, h4, b4 = fetch(n, "/assets/style.css", headers={"If-None-Match": etag})
        check(st == 200 and h4["etag"] != etag and b4 == b"body { color: #456; }\n", (st, h4))
        # HEAD answers 304 the same way
        st, _, b5 = fetch(n, "/assets/style.css", method="HEAD", headers={"If-None-Match": h4["etag"]})
        check(st == 304 and b5 == b"", st)

    with_site(body)


@test
def gz_variant_only_when_the_client_takes_gzip():
    def body(n, site):
        path = "/assets/app-4f2a9c1e.js"
        for ae in ("gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*", "GZIP"):
            st, h, b = fetch(n, path, headers={"Accept-Encoding": ae})
            check(st == 200 and h.get("content-encoding") == "gzip", (ae, h))
            check(len(b) < len(APP_JS) and gzip.decompress(b) == APP_JS, ae)
            check(h["content-type"] == "text/javascript; charset=utf-8" and h["vary"] == "Accept-Encoding", h)
            gz_etag = h["etag"]
        for ae in (None, "identity", "deflate, br", "gzip;q=0", "gzip;q=0.000", "*;q=0"):
            st, h, b = fetch(n, path, headers={"Accept-Encoding": ae} if ae else {})
            check(st == 200 and "content-encoding" not in h and b == APP_JS, (ae, h))
            check(h["vary"] == "Accept-Encoding" and h["etag"] != gz_etag, h)
        # each variant revalidates against its own tag
        st, _, _ = fetch(n, path, headers={"Accept-Encoding": "gzip", "If-None-Match": gz_etag})
        check(st == 304, st)
        st, _, b = fetch(n, path, headers={"If-None-Match": gz_etag})
        check(st == 200 and b == APP_JS, st)
        # the .gz file itself, asked for by name, is a gzip download
        st, h, _ = fetch(n, path + ".gz")
        check(st == 200 and h["content-type"] == "application/gzip" and "content-encoding" not in h, h)

    with_site(body)


@test
def head_sends_the_headers_only():
    def body(n, site):
        for path, size in (("/assets/big.bin", len(site.big)), ("/", len(INDEX)), ("/assets/style.css", None)):
            st, h, b = fetch(n, path, method="HEAD")
            check(st == 200 and b == b"", (path, st))
            if size is not None:
                check(int(h["content-length"]) == size, (path, h))
            check("etag" in h, h)
        # the same keep-alive connection carries on after a HEAD (nothing stray was sent)
        conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
        for method in ("HEAD", "GET", "HEAD", "GET"):
            conn.request(method, "/assets/style.css")
            r = conn.getresponse()
            data = r.read()
            check(r.status == 200 and data == (b"" if method == "HEAD" else b"body { color: #123; }\n"), (method, data))
        conn.close()
        st, h, b = fetch(n, "/missing.js", method="HEAD")
        check(st == 404 and b == b"", st)

    with_site(body)


@test
def large_files_arrive_intact_without_holding_them_in_memory():
    def body(n, site):
        want = hashlib.sha256(site.big).hexdigest()
        st, h, b = fetch(n, "/assets/big.bin")
        check(st == 200 and hashlib.sha256(b).hexdigest() == want and int(h["content-length"]) == len(site.big), st)
        results = []

        def one():
            s, _, data = fetch(n, "/assets/big.bin")
            results.append((s, hashlib.sha256(data).hexdigest()))

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(results == [(200, want)] * 8, [r[0] for r in results])
        # clients that go away mid-file: the node drops their transfer and keeps serving
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", n.port), timeout=10)
            s.sendall(b"GET /assets/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(100000)
            s.close()
        check(fetch(n, "/assets/style.css")[0] == 200, "serving after dropped clients")
        alloc = n.info()["allocator"]
        # 9 x 3 MiB went out; the heap held one chunk per transfer, never a file
        check(alloc["peak"] < 2 * 1024 * 1024, alloc["peak"])
        check(alloc["tags"]["http"]["peak"] < 512 * 1024, alloc["tags"]["http"])

    with_site(body)


ESCAPES = [
    "/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt",
    "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt", "/..%2f..%2fsecret.txt", "/assets/../../secret.txt",
    "/assets/%2e%2e/%2e%2e/secret.txt", "/a%2fb",
    "/..\\secret.txt", "/%5c..%5csecret.txt", "/assets\\..\\..\\secret.txt", "/..%5csecret.txt",
    "/link-out.txt", "/dir-out/secret.txt", "/dir-out/", "/dir-out",
    "/.hidden", "/assets/.%2e/.hidden", "/%2ehidden",
    "/C:/secret.txt", "/c:%5csecret.txt", "/index.html::$DATA",
]
# lws decodes %xx and folds dot segments before pipit sees the path: these arrive as "/" and
# get the folder's own index.html (never anything from above it)
FOLDED_TO_ROOT = ["/..", "/..%2f", "/%2e%2e", "/%2e%2e/", "/../", "/assets/../..", "/dir-out/.."]


@test
def nothing_outside_the_folder_is_ever_served():
    def body(n, site):
        absolute = [site.tmp + "/secret.txt", "/" + site.tmp + "/secret.txt", "/%2f" + site.tmp.lstrip("/") + "/secret.txt",
                    "/etc/passwd", "//etc/passwd", "/%2fetc%2fpasswd", "/../../../../../../etc/passwd",
                    f"http://127.0.0.1:{n.port}/../secret.txt", f"http://127.0.0.1:{n.port}{site.tmp}/secret.txt"]
        for target in ESCAPES + absolute:
            st, data = raw(n, target)
            # lws itself refuses an absolute-form target (403) before pipit sees it
            check(st == 404 or (target.startswith("http:") and st in (400, 403)), (target, st, data[:200]))
            check(SECRET not in data and b"root:" not in data, target)
            # a page load may get the app's own page instead: still nothing from outside
            st, data = raw(n, target, "Accept: text/html\r\n")
            check(st in (404, 200) or (target.startswith("http:") and st in (400, 403)), (target, st))
            check(SECRET not in data and b"root:" not in data, target)
            if st == 200:
                check(data.endswith(INDEX), (target, data[-200:]))
        for target in FOLDED_TO_ROOT:
            st, data = raw(n, target)
            check(st == 200 and data.endswith(INDEX), (target, st, data[:200]))
        # a NUL anywhere in the path: lws refuses the request outright
        st, data = raw(n, "/index.html%00.js")
        check(st in (0, 400, 403, 404) and INDEX not in data, (st, data[:200]))
        check(n.alive() and fetch(n, "/")[0] == 200, "still serving")

    with_site(body)


@test
def without_frontend_dir_the_built_in_page_is_served():
    with Node() as n:
        st, h, b = fetch(n, "/")
        check(st == 200 and h["content-type"] == "text/html; charset=utf-8" and b"/js/app.js" in b, (st, b[:200]))
        st, h, b = fetch(n, "/settings", headers={"Accept": "text/html"})
        check(st == 200 and b"/js/app.js" in b, (st, b[:200]))
        check(fetch(n, "/", method="HEAD")[0] == 200, "HEAD /")
        check(fetch(n, "/missing.js")[0] == 404, "no such file")
        st, h, b = fetch(n, "/api/1/nothing")
        check(st == 404 and h["content-type"] == "application/json", (st, b))
    site = Site()
    try:
        with Node("--frontend-dir", site.root) as n:  # the folder wins over the built-in page
            check(fetch(n, "/")[2] == INDEX, "--frontend-dir overrides the built-in page")
    finally:
        site.close()


@test
def frontend_dir_from_env_and_config_file_and_bad_values():
    site = Site()
    try:
        with Node(env={"PIPIT_FRONTEND_DIR": site.root}) as n:
            check(fetch(n, "/")[2] == INDEX, "PIPIT_FRONTEND_DIR")
            check(any("frontend: serving the files of " + os.path.realpath(site.root) in line for line in n.log), n.log)
        conf = os.path.join(site.tmp, "pipit.conf")
        with open(conf, "w") as f:
            f.write(f"frontend-dir = {site.root}\n")
        with Node("--config", conf) as n:
            check(fetch(n, "/")[2] == INDEX, "config file key")
        data = tempfile.mkdtemp(prefix="pipit-fe-data-")
        for bad in (os.path.join(site.tmp, "nope"), os.path.join(site.root, "index.html")):
            p = subprocess.run(RUN + [PIPIT, "--rest-api-port", "0", "--data-dir", data, "--frontend-dir", bad],
                               capture_output=True, text=True, timeout=30)
            check(p.returncode != 0 and "frontend-dir " + bad in p.stderr, (bad, p.returncode, p.stderr))
        shutil.rmtree(data, ignore_errors=True)
        p = subprocess.run(RUN + [PIPIT, "--help"], capture_output=True, text=True, timeout=30)
        check("--frontend-dir" in p.stdout, p.stdout)
        # a folder without index.html still serves its files (and says why pages do not fall back)
        os.remove(os.path.join(site.root, "index.html"))
        with Node("--frontend-dir", site.root) as n:
            check(fetch(n, "/assets/style.css")[0] == 200, "files without index.html")
            check(fetch(n, "/page", headers={"Accept": "text/html"})[0] == 404, "no fallback page")
            check(any("has no index.html" in line for line in n.log), n.log)
    finally:
        site.close()


@test
def no_leaks_or_memory_errors_under_valgrind():
    """Every path through a transfer (whole, 304, gz, fallback, 404, a client gone mid-file,
    transfers still open at SIGTERM) under valgrind: no invalid access, nothing left allocated."""
    if not shutil.which("valgrind"):
        raise AssertionError("valgrind is not installed (make test installs it)")
    site = Site()
    try:
        n = Node("--frontend-dir", site.root, wrapper=["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                                                      "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99"])
        st, h, b = fetch(n, "/assets/big.bin")
        check(st == 200 and b == site.big, st)
        check(fetch(n, "/", headers={"If-None-Match": fetch(n, "/")[1]["etag"]})[0] == 304, "304")
        check(fetch(n, "/assets/app-4f2a9c1e.js", headers={"Accept-Encoding": "gzip"})[1].get("content-encoding") == "gzip", "gz")
        check(fetch(n, "/route", headers={"Accept": "text/html"})[2] == INDEX, "fallback")
        check(fetch(n, "/missing.js", method="HEAD")[0] == 404, "404")
        check(raw(n, "/..\\secret.txt")[0] == 404, "refused")
        gone = socket.create_connection(("127.0.0.1", n.port), timeout=30)
        gone.sendall(b"GET /assets/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        gone.recv(50000)
        gone.close()
        open_at_stop = [socket.create_connection(("127.0.0.1", n.port), timeout=30) for _ in range(3)]
        for s in open_at_stop:  # each reads a little, then stops reading: transfers stay open
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(b"GET /assets/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(1000)
        check(fetch(n, "/assets/style.css")[0] == 200, "serving")
        n.proc.send_signal(signal.SIGTERM)
        rc = n.proc.wait(60)
        for s in open_at_stop:
            s.close()
        log = "".join(n.log)
        n.stop()
        check(rc == 0 and "Memcheck" in log and "frontend: serving" in log, f"valgrind exit {rc}:\n" + log[-3000:])
    finally:
        site.close()


if __name__ == "__main__":
    main()
