"""Workload 3, API under load: p99 latency of GET of a run's status at a fixed rate (1,000
requests/s; --quick 200), measured open loop by asyncscrape-probe (latency from each request's
due time, so waits behind a busy server count), while asyncscrape-server (memory store, one
thread) works through runs of 20,000 GETs of the nginx page created over its own API, 64 in
flight, back to back for the whole measurement. Beside it, the same probe at the same rate
against nginx serving a run object's bytes from a file (no load: the floor of the method)."""

import json
import subprocess
import time

import benchlib

NAME = "api_under_load"
TITLE = "API under load: p99 of GET run status at 1,000 req/s during a 20,000-GET run"
UNIT = "ms (p99)"
HIGHER_IS_BETTER = False
PRIMARY = "asyncscrape"
TARGETS = [("absolute", "asyncscrape", "<=", 5.0)]

RUN_REQUESTS = 20000
IN_FLIGHT = 64
PROBE_CONNECTIONS = 4
_state = {}


def _rate(ctx):
    return 200 if ctx.quick else 1000


def _seconds(ctx):
    return 3 if ctx.quick else 10


def _probe(ctx, url):
    cmd = [ctx.bin("asyncscrape-probe"), "--url", url, "--rate", str(_rate(ctx)),
           "--seconds", str(_seconds(ctx)), "--connections", str(PROBE_CONNECTIONS)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _probe_result(process):
    stdout, stderr = process.communicate(timeout=60)
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if process.returncode not in (0, 1) or not lines:
        raise RuntimeError(f"asyncscrape-probe rc {process.returncode}: {stderr.strip()[-300:]}")
    result = json.loads(lines[-1])
    if result["errors"] > result["requests"] // 100:
        raise RuntimeError(f"probe: {result['errors']} of {result['requests']} failed: "
                           f"{stderr.strip()[-200:]}")
    return result


def _measurement(result):
    return {"value": result["p99_ms"], "p50_ms": result["p50_ms"], "p90_ms": result["p90_ms"],
            "max_ms": result["max_ms"], "achieved_rate": result["achieved_rate"],
            "errors": result["errors"]}


def _finished(run):
    return run["success_requests"] + run["failed_requests"] + run["timeout_requests"]


def _asyncscrape(ctx):
    api = _state["api"]
    page = ctx.nginx_url("/page.html")
    collection, run_url = benchlib.create_run(ctx, api, page, RUN_REQUESTS)
    probe = _probe(ctx, run_url)
    started = time.monotonic()
    runs, fetched, current = 1, 0, run_url
    try:
        # The load: the run, then another of the same collection as soon as it ends, until the
        # probe is done, so that every sample is taken while 64 fetches are in flight.
        while probe.poll() is None:
            run = ctx.http_json("GET", current)
            if run["status"] != "in_progress":
                fetched += _finished(run)
                started_run = ctx.http_json("POST", f"{api}/async/collections/{collection}/run")
                current = f"{api}/async/collections/{collection}/runs/{started_run['run_id']}"
                runs += 1
            time.sleep(0.1)
        last = ctx.http_json("GET", current)
        fetched += _finished(last)
        elapsed = time.monotonic() - started
        result = _measurement(_probe_result(probe))
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait()
        # Cancels what is left and frees the results before the next repetition.
        ctx.http_json("DELETE", f"{api}/async/collections/{collection}")
    result["load_req_s"] = fetched / elapsed
    result["load_runs"] = runs
    return result


def _nginx(ctx):
    return _measurement(_probe_result(_probe(ctx, ctx.nginx_url("/run_status.json"))))


def setup(ctx):
    process, api = benchlib.start_server(
        ctx, "memory", ["--max-concurrency", str(IN_FLIGHT), "--per-host", str(IN_FLIGHT)])
    _state["server"] = process
    _state["api"] = api
    # A run object's bytes, for nginx to serve from a file.
    benchlib.finished_run_as_file(ctx, api, "run_status.json")
    ctx.log(f"{_rate(ctx)} req/s for {_seconds(ctx)} s, during runs of {RUN_REQUESTS} GETs")


def teardown(ctx):
    if "server" in _state:
        ctx.stop(_state.pop("server"))


def sides(ctx):
    return {"asyncscrape": lambda: _asyncscrape(ctx), "nginx": lambda: _nginx(ctx)}
