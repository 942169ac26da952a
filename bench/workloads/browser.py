"""Workload 5, browser: loads of a local page that builds its content with JavaScript
(bench/pages/app.html, served by the driver's nginx), the live DOM captured after the load, 4
at a time, three ways:
  - asyncscrape: one run of browser jobs through the library (asyncscrape-bench --browser),
    one Chromium with 4 tabs, a fresh browser context per page;
  - playwright: playwright-core with 4 pages, a fresh context per load as well
    (bench/peers/playwright_load.js), on the same Chromium binary;
  - dump-dom: a fresh `chromium --headless --dump-dom URL` per page, 4 at a time.
The first two drive what the runtime starts when the private-address guard is off, as it is for
a benchmark's local targets: Debian's chromium-headless-shell when installed, else chromium
(lib/src/browser/chromium_process.hpp). Both are named explicitly, so that they surely match.
Each side's time includes its browser's start. Every load must show the list's last item."""

import concurrent.futures
import json
import os
import shutil
import subprocess
import tempfile
import time

NAME = "browser"
TITLE = "Browser: 200 loads of a local JS page, 4 tabs"
UNIT = "pages/s"
HIGHER_IS_BETTER = True
PRIMARY = "asyncscrape"
TARGETS = [("ratio", "playwright", ">=", 1.0), ("ratio", "dump-dom", ">=", 10.0)]

TABS = 4
CHROMIUM = "/usr/bin/chromium"
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
EXPECT = "item 199"  # the last item the page's script adds
HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.join(HERE, "..", "pages", "app.html")
PEERS = os.path.join(HERE, "..", "peers")


def _loads(ctx):
    return 20 if ctx.quick else 200


def _dump_dom_loads(ctx):
    # A fresh browser per page is slow: quick runs time a few pages; the rate is per page.
    return 5 if ctx.quick else 200


def setup(ctx):
    shutil.copy(PAGE, os.path.join(ctx.www, "app.html"))
    if not os.path.isdir(os.path.join(PEERS, "node_modules", "playwright-core")):
        out, err, rc = ctx.run(["bash", os.path.join(PEERS, "install.sh")], timeout=600)
        if rc != 0:
            raise RuntimeError(f"bench/peers/install.sh exited {rc}: {err.strip()[-500:]}")


def _driven_chromium():
    return HEADLESS_SHELL if os.access(HEADLESS_SHELL, os.X_OK) else CHROMIUM


def _last_json_line(out):
    return json.loads(out.strip().splitlines()[-1])


def _asyncscrape(ctx):
    loads = _loads(ctx)
    cmd = [ctx.bin("asyncscrape-bench"), "--url", ctx.nginx_url("/app.html"),
           "--requests", str(loads), "--concurrency", str(TABS), "--browser",
           "--browser-tabs", str(TABS), "--chromium", _driven_chromium()]
    out, err, rc = ctx.run(cmd, timeout=900)
    if rc != 0:
        raise RuntimeError(f"asyncscrape-bench exited {rc}: {err.strip()[-500:]}")
    line = _last_json_line(out)
    # The peak RSS is the embedding process's own: Chromium's processes are not counted.
    return {"value": line["requests_per_second"], "peak_rss_mb": line["peak_rss_mb"],
            "chromium": _driven_chromium()}


def _playwright(ctx):
    loads = _loads(ctx)
    cmd = ["node", os.path.join(PEERS, "playwright_load.js"), "--url", ctx.nginx_url("/app.html"),
           "--loads", str(loads), "--pages", str(TABS), "--chromium", _driven_chromium(),
           "--expect", EXPECT]
    out, err, rc = ctx.run(cmd, timeout=900)
    if rc != 0:
        raise RuntimeError(f"playwright_load.js exited {rc}: {err.strip()[-500:]}")
    return {"value": _last_json_line(out)["pages_per_second"], "chromium": _driven_chromium()}


def _dump_dom_once(url):
    """One page as a fresh Chromium prints it, with the flags the runtime starts it with (no
    sandbox as root, as in containers) and a throwaway profile. True when the DOM is whole."""
    profile = tempfile.mkdtemp(prefix="dump-dom-")
    cmd = [CHROMIUM, "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--user-data-dir=" + profile, "--dump-dom", url]
    if os.getuid() == 0:
        cmd.insert(2, "--no-sandbox")
    try:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
        return EXPECT in done.stdout.decode("utf-8", "replace")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _dump_dom(ctx):
    loads = _dump_dom_loads(ctx)
    url = ctx.nginx_url("/app.html")
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=TABS) as pool:
        whole = list(pool.map(_dump_dom_once, [url] * loads))
    seconds = time.monotonic() - started
    if not all(whole):
        raise RuntimeError(f"chromium --dump-dom: {whole.count(False)} of {loads} pages lacked "
                           f"{EXPECT!r}")
    return {"value": loads / seconds}


def sides(ctx):
    ctx.log(f"{NAME}: {_loads(ctx)} loads ({_dump_dom_loads(ctx)} for dump-dom), {TABS} at a time")
    return {
        "asyncscrape": lambda: _asyncscrape(ctx),
        "playwright": lambda: _playwright(ctx),
        "dump-dom": lambda: _dump_dom(ctx),
    }
