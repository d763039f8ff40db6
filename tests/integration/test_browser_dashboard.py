"""A real browser against the node: Debian's headless chromium, driven by playwright-core
(tests/browser/dashboard.js), loads tests/browser/app from --frontend-dir; the page creates a
user through the API and makes the dashboard's calls (tests/browser/app/routes.js). Every call
must answer 2xx with rotki's envelope, the console must stay free of errors, and the screenshot
(BUILD/screenshots/dashboard.png) must show something."""
import json
import os
import subprocess

from browser import BROWSER_DIR, SHOTS, check_not_blank, chromium_or_skip, install
from harness import Node, check, main, test


@test
def dashboard_calls_from_headless_chromium():
    chromium_or_skip()
    install()
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
    print(f"    screenshot {shot}: {check_not_blank(shot)} colours, {len(calls)} calls", flush=True)


if __name__ == "__main__":
    main()
