"""The workloads of the benchmark driver (bench/driver.py): one module a workload, found by name.

Each module defines

    NAME = "fanout"                 # short id, for --only and the JSON
    TITLE = "Fan-out: ..."          # one line, for people
    UNIT = "req/s"                  # unit of every side's "value"
    HIGHER_IS_BETTER = True
    PRIMARY = "asyncscrape"         # the side the ratios are computed for
    TARGETS = [("ratio", "wrk", ">=", 0.6),              # PRIMARY / peer (peer / PRIMARY when lower
                                                         # is better): > 1 is a win either way
               ("absolute", "asyncscrape", "<=", 5.0),   # a side's median value against a bound
               ("metric", "asyncscrape", "peak_rss_mb", "<=", 512)]  # a side's extra metric

    def sides(ctx):                 # side name -> a callable taking one measurement:
        return {"asyncscrape": ..., "wrk": ...}   # {"value": float, extra numeric metrics...}

    def setup(ctx): ...             # optional, before the first repetition
    def teardown(ctx): ...          # optional, after the last one (also after a failure)

and gets a bench.benchlib.Ctx. A measurement that raises is recorded as that side's error for
that repetition; the driver goes on with the others.
"""
