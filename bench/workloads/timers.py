"""Workload 4, timers: a run of jobs that each wait 2 s (a `wait-for-timeout` action) after a
fast fetch of nginx's page, 1,000 fetches in flight, beside the same run without the wait.

A waiting job holds no fetch slot, so the waits of all jobs overlap with the fetches of the
others: the run with the wait should take about the run without it plus one wait. One
measurement is three runs, back to back, so that their differences are taken on the same
machine state:
- without the wait: the wall-time baseline (overhead_s = with - without);
- with a 1 ms wait: the memory baseline. Its jobs carry the same action (a wait in every
  request of the collection, about 250 bytes each, whether or not any job waits) and arm a
  timer, but hardly any wait at once;
- with the 2 s wait.
Memory per waiting job: the difference of the 2 s and 1 ms runs' peak RSS over the most jobs
waiting at once, estimated from the run without the wait as min(jobs, fetch rate x wait) (the
fetches go on at that rate while the first ones wait). The difference against the run without
any action is reported too (bytes_per_waiting_job_vs_no_action): it adds the requests' actions."""

import json

NAME = "timers"
TITLE = "Timers: 100,000 jobs each waiting 2 s after a fast fetch, 1,000 in flight"
UNIT = "s"
HIGHER_IS_BETTER = False
PRIMARY = "asyncscrape"
TARGETS = [
    ("metric", "asyncscrape", "overhead_s", "<=", 2.3),
    ("metric", "asyncscrape", "bytes_per_waiting_job", "<=", 2048),
]

WAIT_MS = 2000
SHORT_WAIT_MS = 1
IN_FLIGHT = 1000


def _jobs(ctx):
    return 5000 if ctx.quick else 100000


def _bench(ctx, jobs, wait_ms):
    """One asyncscrape-bench run: its JSON line, as a dict. A run in which any job failed is
    no measurement: it raises with the bench's stderr (its first failure)."""
    cmd = [ctx.bin("asyncscrape-bench"), "--url", ctx.nginx_url("/page.html"),
           "--requests", str(jobs), "--concurrency", str(IN_FLIGHT),
           "--per-host", str(IN_FLIGHT)]
    if wait_ms:
        cmd += ["--wait-ms", str(wait_ms)]
    out, err, rc = ctx.run(cmd, timeout=600)
    if rc != 0:
        raise RuntimeError(f"asyncscrape-bench exited {rc}: {err.strip()[-500:]}")
    return json.loads(out.strip().splitlines()[-1])


def _runs(ctx):
    jobs = _jobs(ctx)
    without = _bench(ctx, jobs, 0)
    short_wait = _bench(ctx, jobs, SHORT_WAIT_MS)
    with_wait = _bench(ctx, jobs, WAIT_MS)
    waiting_at_once = min(jobs, without["requests_per_second"] * WAIT_MS / 1000.0)

    def per_waiting_job(baseline):
        extra_bytes = (with_wait["peak_rss_mb"] - baseline["peak_rss_mb"]) * 1024 * 1024
        return max(0.0, extra_bytes) / waiting_at_once

    return {
        "value": with_wait["wall_seconds"],
        "wall_without_s": without["wall_seconds"],
        "overhead_s": with_wait["wall_seconds"] - without["wall_seconds"],
        # The same difference from the run's start to its end, without the process's start-up,
        # the building of the collection (whose requests carry the action) and the teardown.
        "run_overhead_s": with_wait["seconds"] - without["seconds"],
        "peak_rss_mb": with_wait["peak_rss_mb"],
        "peak_rss_short_wait_mb": short_wait["peak_rss_mb"],
        "peak_rss_without_mb": without["peak_rss_mb"],
        "waiting_at_once": waiting_at_once,
        "bytes_per_waiting_job": per_waiting_job(short_wait),
        "bytes_per_waiting_job_vs_no_action": per_waiting_job(without),
    }


def sides(ctx):
    ctx.log(f"{NAME}: {_jobs(ctx)} jobs, without a wait, with a {SHORT_WAIT_MS} ms and a "
            f"{WAIT_MS} ms wait")
    return {"asyncscrape": lambda: _runs(ctx)}
