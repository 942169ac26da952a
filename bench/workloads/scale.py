"""Workload 6, scale: one run of 1,000,000 small pages through the library with the default
durable store (SQLite, in a fresh data directory each time), 64 in flight. It must complete
(every job a success), and the process's peak RSS stay within 512 MB: the run's requests and
results must not all be held in memory."""

import json
import os
import shutil

NAME = "scale"
TITLE = "Scale: 1,000,000 small pages, SQLite store, 64 in flight"
UNIT = "req/s"
HIGHER_IS_BETTER = True
PRIMARY = "asyncscrape"
TARGETS = [("metric", "asyncscrape", "peak_rss_mb", "<=", 512)]

IN_FLIGHT = 64  # the page is ctx.www/small.html, which the driver's Ctx writes


def _pages(ctx):
    return 20000 if ctx.quick else 1000000


def _directory_mb(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total / (1024 * 1024)


def _run(ctx):
    pages = _pages(ctx)
    data = os.path.join(ctx.work, "scale-data")
    shutil.rmtree(data, ignore_errors=True)
    cmd = [ctx.bin("asyncscrape-bench"), "--url", ctx.nginx_url("/small.html"),
           "--requests", str(pages), "--concurrency", str(IN_FLIGHT),
           "--store", "sqlite", "--data", data]
    try:
        out, err, rc = ctx.run(cmd, timeout=1800)
        if rc != 0:
            raise RuntimeError(f"asyncscrape-bench exited {rc}: {err.strip()[-500:]}")
        line = json.loads(out.strip().splitlines()[-1])
        return {
            "value": line["requests_per_second"],
            "peak_rss_mb": line["peak_rss_mb"],
            "wall_s": line["wall_seconds"],
            "database_mb": _directory_mb(data),
        }
    finally:
        shutil.rmtree(data, ignore_errors=True)


def sides(ctx):
    ctx.log(f"{NAME}: {_pages(ctx)} small pages into a fresh SQLite store")
    return {"asyncscrape": lambda: _run(ctx)}
