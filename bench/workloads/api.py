"""Workload 2, API: GET of a finished run's status from asyncscrape-server (memory store; the
server is one io_context thread) under wrk with 64 keep-alive connections, beside nginx (one
worker) serving the same JSON bytes from a file."""

import benchlib

NAME = "api"
TITLE = "API: GET of a finished run's status, wrk with 64 connections"
UNIT = "req/s"
HIGHER_IS_BETTER = True
PRIMARY = "asyncscrape"
TARGETS = [("ratio", "nginx", ">=", 1.0)]

CONNECTIONS = 64
_state = {}


def _seconds(ctx):
    return 1 if ctx.quick else 5


def setup(ctx):
    process, api = benchlib.start_server(ctx, "memory")
    _state["server"] = process
    run_url = benchlib.finished_run_as_file(ctx, api, "run.json")
    _state["run_url"] = run_url
    ctx.log(f"GET {run_url}, {CONNECTIONS} connections, {_seconds(ctx)} s a side")


def teardown(ctx):
    if "server" in _state:
        ctx.stop(_state.pop("server"))


def sides(ctx):
    return {
        "asyncscrape": lambda: {"value": ctx.wrk(_state["run_url"], _seconds(ctx), CONNECTIONS)},
        "nginx": lambda: {"value": ctx.wrk(ctx.nginx_url("/run.json"), _seconds(ctx), CONNECTIONS)},
    }
