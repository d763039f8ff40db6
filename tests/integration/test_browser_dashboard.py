"""A real browser against the node: Debian's headless chromium, driven by playwright-core
(tests/browser/dashboard.js), loads tests/browser/app from --frontend-dir; the page creates a
user through the API and makes the dashboard's calls (tests/browser/app/routes.js). Every call
must answer 2xx with rotki's envelope, the console must stay free of errors, and the screenshot
(BUILD/screenshots/dashboard.png) must show something."""
import collections
import json
import os
import shutil
import struct
import subprocess
import zlib

from harness import PIPIT, Node, Skip, check, main, test

HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER_DIR = os.path.join(HERE, "..", "browser")
CHROMIUM = os.environ.get("PIPIT_CHROMIUM", "/usr/bin/chromium")
SHOTS = os.path.join(os.path.dirname(os.path.abspath(PIPIT)), "screenshots")


def chromium_or_skip():
    """Skips (with the reason) only when chromium or node is truly unusable here; in CI, where
    ports/linux/setup.sh test installs both, that is a failure instead."""
    why = None
    if not shutil.which("node"):
        why = "node is not installed"
    elif not os.access(CHROMIUM, os.X_OK):
        why = f"{CHROMIUM} is not installed"
    else:
        try:
            p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--version"], capture_output=True, text=True,
                               timeout=60)
            if p.returncode != 0:
                why = f"{CHROMIUM} --version failed: {(p.stderr or p.stdout).strip()[:300]}"
        except (OSError, subprocess.TimeoutExpired) as e:
            why = f"{CHROMIUM} cannot run: {e}"
    if why:
        why += " (ports/linux/setup.sh test installs it)"
        if os.environ.get("CI"):
            raise AssertionError(why)
        raise Skip(why)


def png_colours(path):
    """Counter of the RGB(A) pixel values of an 8-bit, non-interlaced PNG (what chromium writes)."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    width, height, depth, ctype, _, _, interlace = ihdr
    check(depth == 8 and ctype in (2, 6) and interlace == 0, ihdr)
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, colours, off = bytearray(stride), collections.Counter(), 0
    for _ in range(height):
        ftype, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        for i in range(stride):  # undo the row filter (PNG spec 9.2)
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp))
        prev = line
    return colours, width * height


@test
def dashboard_calls_from_headless_chromium():
    chromium_or_skip()
    subprocess.run([os.path.join(BROWSER_DIR, "install.sh")], check=True)
    shot = os.path.join(SHOTS, "dashboard.png")
    if os.path.exists(shot):
        os.remove(shot)
    with Node("--frontend-dir", os.path.join(BROWSER_DIR, "app")) as n:
        p = subprocess.run(["node", os.path.join(BROWSER_DIR, "dashboard.js"), f"http://127.0.0.1:{n.port}/", shot],
                           capture_output=True, text=True, timeout=180)
        check(p.returncode == 0, f"dashboard.js exited {p.returncode}: {p.stderr[-2000:]}")
        out = json.loads(p.stdout.strip().splitlines()[-1])
    res = out["result"]
    check("error" not in res, res.get("error"))
    calls = res["calls"]
    check(calls[0]["path"] == "/api/1/users" and len(calls) >= 10, [c["path"] for c in calls])
    bad = [f'{c["method"]} {c["path"]}: {c["status"]} {c["message"]}' for c in res["failed"]]
    check(not bad, "calls that failed: " + "; ".join(bad))
    check(not out["failed_requests"], out["failed_requests"])
    check(not out["console_errors"], out["console_errors"])
    # the page and its modules came from --frontend-dir, every answer the browser saw was 2xx
    statuses = {r["url"].split(str(n.port), 1)[1]: r["status"] for r in out["responses"]}
    for asset in ("/", "/app.js", "/routes.js", "/style.css"):
        check(statuses.get(asset) == 200, (asset, statuses))
    check(all(200 <= s < 300 for s in statuses.values()), statuses)
    colours, pixels = png_colours(shot)
    top = colours.most_common(1)[0][1]
    check(len(colours) >= 3 and top < 0.98 * pixels, f"blank screenshot: {len(colours)} colours, top {top}/{pixels}")
    print(f"    screenshot {shot}: {len(colours)} colours, {len(calls)} calls", flush=True)


if __name__ == "__main__":
    main()
