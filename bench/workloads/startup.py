"""Workload 7, start-up: from exec of asyncscrape-server to its first 200 of /v1/health (a
connect-and-GET loop polling every millisecond), with the durable SQLite store in a fresh --data
directory (the default store: schema created at start) and with the memory store; beside nginx
from exec to its first 200. Each measurement is the median of several starts."""

import os
import statistics
import subprocess
import time

import benchlib

NAME = "startup"
TITLE = "Start-up: exec to the first 200 of /v1/health"
UNIT = "ms"
HIGHER_IS_BETTER = False
PRIMARY = "asyncscrape"  # the SQLite store, the server's default
TARGETS = [("absolute", "asyncscrape", "<=", 100.0),
           ("absolute", "asyncscrape-memory", "<=", 100.0)]


def _starts(ctx):
    return 3 if ctx.quick else 10


def _time_to_first_200(ctx, cmd, port, path):
    started = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        answered = benchlib.wait_port_http(port, path, timeout=10)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return (answered - started) * 1000


def _measure(ctx, start_one):
    times = [start_one() for _ in range(_starts(ctx))]
    return {"value": statistics.median(times), "max_ms": max(times), "min_ms": min(times)}


def _server(ctx, store):
    def start_one():
        port = ctx.free_port()
        data_dir = ctx.tempdir("startup-data-") if store == "sqlite" else None
        cmd = benchlib.server_command(ctx, port, store, data_dir)
        return _time_to_first_200(ctx, cmd, port, "/v1/health")
    return lambda: _measure(ctx, start_one)


def _nginx(ctx):
    def start_one():
        port = ctx.free_port()
        directory = ctx.tempdir("startup-nginx-")
        config = os.path.join(directory, "nginx.conf")
        with open(config, "w") as file:
            file.write(benchlib.nginx_config(directory, port, ctx.www,
                                             os.path.join(directory, "nginx.pid")))
        cmd = ["nginx", "-c", config, "-g", "daemon off;"]
        return _time_to_first_200(ctx, cmd, port, "/small.html")
    return lambda: _measure(ctx, start_one)


def setup(ctx):
    ctx.log(f"{_starts(ctx)} starts a measurement")


def sides(ctx):
    return {
        "asyncscrape": _server(ctx, "sqlite"),
        "asyncscrape-memory": _server(ctx, "memory"),
        "nginx": _nginx(ctx),
    }
