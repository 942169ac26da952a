"""Workload 1, fan-out: one run of N plain GETs of the 2 KB page from nginx, 64 in flight,
results stored (asyncscrape-bench, which embeds the runtime; memory store), beside what a user
would otherwise use on the same page: wrk with 64 connections (a load generator, no results
kept: the ceiling), curl --parallel over N URLs, and an aiohttp script with 64 in flight."""

import json
import os

NAME = "fanout"
TITLE = "Fan-out: 20,000 GETs of a 2 KB page, 64 in flight"
UNIT = "req/s"
HIGHER_IS_BETTER = True
PRIMARY = "asyncscrape"
TARGETS = [("ratio", "wrk", ">=", 0.6), ("ratio", "curl", ">=", 2.0),
           ("ratio", "aiohttp", ">=", 8.0)]

IN_FLIGHT = 64
AIOHTTP_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers",
                              "aiohttp_fanout.py")


def _requests(ctx):
    return 2000 if ctx.quick else 20000


def _wrk_seconds(ctx):
    return 1 if ctx.quick else 5


def _json_line(stdout, who):
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{who} printed no JSON line")
    return json.loads(lines[-1])


def _asyncscrape(ctx):
    cmd = [ctx.bin("asyncscrape-bench"), "--url", ctx.nginx_url("/page.html"),
           "--requests", str(_requests(ctx)), "--concurrency", str(IN_FLIGHT)]
    stdout, stderr, rc, rss_mb = ctx.run_rss(cmd, timeout=300)
    if rc != 0:
        raise RuntimeError(f"asyncscrape-bench rc {rc}: {stderr.strip()[-300:]}")
    line = _json_line(stdout, "asyncscrape-bench")
    return {"value": line["requests_per_second"], "peak_rss_mb": rss_mb}


def _wrk(ctx):
    return {"value": ctx.wrk(ctx.nginx_url("/page.html"), _wrk_seconds(ctx), IN_FLIGHT)}


def _curl(ctx):
    seconds, rss_mb, rc, _, stderr = ctx.run_timed(
        ["curl", "--silent", "--show-error", "--fail", "--parallel", "--parallel-max",
         str(IN_FLIGHT), "--config", _curl_config(ctx)], timeout=600)
    if rc != 0:
        raise RuntimeError(f"curl rc {rc}: {stderr.strip()[-300:]}")
    return {"value": _requests(ctx) / seconds, "peak_rss_mb": rss_mb}


def _curl_config(ctx):
    # One "url" and one "output" per transfer: -o applies to a single URL.
    path = os.path.join(ctx.work, f"curl-{_requests(ctx)}.config")
    if not os.path.exists(path):
        entry = f'url = "{ctx.nginx_url("/page.html")}"\noutput = "/dev/null"\n'
        with open(path, "w") as config:
            config.write(entry * _requests(ctx))
    return path


def _aiohttp(ctx):
    cmd = ["/usr/bin/python3", AIOHTTP_SCRIPT, "--url", ctx.nginx_url("/page.html"),
           "--requests", str(_requests(ctx)), "--concurrency", str(IN_FLIGHT)]
    stdout, stderr, rc, rss_mb = ctx.run_rss(cmd, timeout=600)
    if rc != 0:
        raise RuntimeError(f"aiohttp script rc {rc}: {stderr.strip()[-300:]}")
    return {"value": _json_line(stdout, "aiohttp script")["requests_per_second"],
            "peak_rss_mb": rss_mb}


def setup(ctx):
    ctx.log(f"{_requests(ctx)} GETs of {ctx.nginx_url('/page.html')}, {IN_FLIGHT} in flight")


def sides(ctx):
    return {
        "asyncscrape": lambda: _asyncscrape(ctx),
        "wrk": lambda: _wrk(ctx),
        "curl": lambda: _curl(ctx),
        "aiohttp": lambda: _aiohttp(ctx),
    }
