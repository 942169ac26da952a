#!/usr/bin/python3
"""The benchmark driver: runs every workload of bench/workloads/ side by side with its peers, on
loopback, alternating the sides between repetitions, and reports medians, ratios and verdicts
against the targets of issue 6. Measurements only: it exits 0 whatever the verdicts, and a
workload that raises is reported as "error" and the driver goes on.

    bench/driver.py [--quick] [--reps N] [--only fanout,api] [--build DIR] [--results DIR]
                    [--fail-on-error]

Output: a table on the terminal; bench/results/<UTC time>.json (machine, versions, every
repetition) and .svg (gnuplot), copied to latest.json / latest.svg.

A workload is a module bench/workloads/<name>.py with NAME, TITLE, UNIT, HIGHER_IS_BETTER,
PRIMARY, TARGETS, sides(ctx) and optional setup(ctx) / teardown(ctx); see
bench/workloads/__init__.py.
"""

import argparse
import datetime
import glob
import importlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import traceback

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
sys.path.insert(0, BENCH_DIR)

import benchlib  # noqa: E402  (after the path that holds it)

# The order of the workloads; others (new modules) come after, by name.
ORDER = ["fanout", "api", "api_under_load", "timers", "browser", "scale", "startup"]

OPERATORS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


class Progress:
    """A progress line on stderr: rewritten in place on a terminal, one line each otherwise."""

    def __init__(self):
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.prefix = ""

    def __call__(self, message):
        line = f"[{time.monotonic() - self.started:6.1f} s] {self.prefix}{message}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line[: shutil.get_terminal_size().columns - 1])
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def done(self):
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def discover(only):
    """The workload modules, in ORDER; an import that fails becomes an error entry."""
    directory = os.path.join(BENCH_DIR, "workloads")
    names = sorted(
        name[:-3] for name in os.listdir(directory)
        if name.endswith(".py") and not name.startswith("_"))
    names.sort(key=lambda name: (ORDER.index(name) if name in ORDER else len(ORDER), name))
    if only:
        unknown = [name for name in only if name not in names]
        if unknown:
            sys.exit(f"driver: no workload {', '.join(unknown)} (have: {', '.join(names)})")
        names = [name for name in names if name in only]
    loaded = []
    for name in names:
        try:
            loaded.append((name, importlib.import_module(f"workloads.{name}"), None))
        except Exception:  # noqa: BLE001 -- reported, the others go on
            loaded.append((name, None, traceback.format_exc()))
    return loaded


def numeric_metrics(measurement):
    return {key: value for key, value in measurement.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)}


def run_workload(module, ctx, reps, progress):
    """Setup, every side once per repetition (order alternating), teardown. Returns the
    workload's record: repetitions, medians, ratios, verdicts."""
    record = {
        "name": module.NAME, "title": module.TITLE, "unit": module.UNIT,
        "higher_is_better": module.HIGHER_IS_BETTER, "primary": module.PRIMARY,
        "status": "ok", "error": None, "sides": {},
    }
    try:
        if hasattr(module, "setup"):
            progress("setup")
            module.setup(ctx)
        sides = module.sides(ctx)
        order = list(sides)
        for name in order:
            record["sides"][name] = {"repetitions": [], "errors": []}
        for rep in range(reps):
            # Alternate: forwards on odd repetitions, backwards on even ones, so that neither
            # side always runs on a machine warmed (or heated) by the other.
            this_order = order if rep % 2 == 0 else list(reversed(order))
            for name in this_order:
                progress(f"rep {rep + 1}/{reps}: {name}")
                try:
                    measurement = sides[name]()
                    float(measurement["value"])
                    record["sides"][name]["repetitions"].append(measurement)
                except Exception as error:  # noqa: BLE001 -- one side's failure, the rest goes on
                    message = f"{type(error).__name__}: {error}"
                    record["sides"][name]["errors"].append(message)
                    progress(f"rep {rep + 1}/{reps}: {name} failed: {message}")
    except Exception as error:  # noqa: BLE001
        record["status"] = "error"
        record["error"] = f"{type(error).__name__}: {error}"
        record["traceback"] = traceback.format_exc()
    finally:
        if hasattr(module, "teardown"):
            try:
                module.teardown(ctx)
            except Exception as error:  # noqa: BLE001
                if record["status"] == "ok":
                    record["status"] = "error"
                    record["error"] = f"teardown: {type(error).__name__}: {error}"
    summarize(module, record)
    return record


def summarize(module, record):
    """Medians per side and per extra metric, ratios of PRIMARY to each peer, verdicts."""
    for name, side in record["sides"].items():
        reps = side["repetitions"]
        if side["errors"] and record["status"] == "ok":
            record["status"] = "error"
            record["error"] = f"{name}: {side['errors'][0]}"
        if not reps:
            side["median"] = None
            continue
        values = [float(rep["value"]) for rep in reps]
        side["median"] = statistics.median(values)
        side["min"] = min(values)
        side["max"] = max(values)
        keys = sorted({key for rep in reps for key in numeric_metrics(rep) if key != "value"})
        side["metrics"] = {
            key: statistics.median([rep[key] for rep in reps if key in numeric_metrics(rep)])
            for key in keys}
    primary = record["sides"].get(module.PRIMARY, {}).get("median")
    record["ratios"] = {}
    for name, side in record["sides"].items():
        if name == module.PRIMARY or primary is None or not side.get("median"):
            continue
        # Always "how many times better asyncscrape is": > 1 is a win either way.
        ratio = primary / side["median"] if module.HIGHER_IS_BETTER else side["median"] / primary
        record["ratios"][name] = ratio
    record["verdicts"] = [verdict(target, record) for target in module.TARGETS]


def verdict(target, record):
    kind = target[0]
    entry = {"target": list(target), "kind": kind}
    if kind == "ratio":
        _, side, op, bound = target
        value = record["ratios"].get(side)
        entry["text"] = f"{op} {bound:g}x {side}"
    elif kind == "absolute":
        _, side, op, bound = target
        value = record["sides"].get(side, {}).get("median")
        entry["text"] = f"{side} {op} {bound:g} {record['unit']}"
    elif kind == "metric":
        _, side, key, op, bound = target
        value = record["sides"].get(side, {}).get("metrics", {}).get(key)
        entry["text"] = f"{side} {key} {op} {bound:g}"
    else:
        entry.update(value=None, verdict="error", text=f"unknown target kind {kind}")
        return entry
    entry["value"] = value
    entry["bound"] = bound
    entry["op"] = op
    entry["verdict"] = "error" if value is None else ("met" if OPERATORS[op](value, bound)
                                                      else "missed")
    return entry


def error_record(name, message):
    return {"name": name, "title": name, "unit": "", "status": "error", "error": message,
            "sides": {}, "ratios": {}, "verdicts": []}


# --- machine and versions --------------------------------------------------------------------


def command_output(cmd):
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout + result.stderr).strip()
    return text.splitlines()[0] if text else None


def read_first(path, pattern=None):
    try:
        with open(path) as file:
            for line in file:
                if pattern is None:
                    return line.strip()
                match = re.match(pattern, line)
                if match:
                    return match.group(1).strip()
    except OSError:
        pass
    return None


def playwright_core_version():
    # Wherever npm put it: beside a workload's peer script, or globally.
    patterns = [os.path.join(BENCH_DIR, "node_modules"),
                os.path.join(BENCH_DIR, "*", "node_modules"),
                "/usr/lib/node_modules", "/usr/local/lib/node_modules"]
    for pattern in patterns:
        for path in glob.glob(os.path.join(pattern, "playwright-core", "package.json")):
            with open(path) as file:
                return json.load(file).get("version")
    return None


def build_type(build_dir):
    """CMAKE_BUILD_TYPE of the build measured: a Debug build's figures mean little."""
    return read_first(os.path.join(build_dir, "CMakeCache.txt"), r"CMAKE_BUILD_TYPE:\w+=(.*)")


def machine_and_versions():
    try:
        import aiohttp  # noqa: PLC0415 -- only to know its version
        aiohttp_version = aiohttp.__version__
    except ImportError:
        aiohttp_version = None
    machine = {
        "cpu": read_first("/proc/cpuinfo", r"model name\s*:\s*(.*)"),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "debian": read_first("/etc/debian_version"),
        "memory_mb": (int(read_first("/proc/meminfo", r"MemTotal:\s*(\d+)") or 0) // 1024),
    }
    versions = {
        "asyncscrape": command_output(["git", "-C", REPO_DIR, "rev-parse", "HEAD"]),
        "asyncscrape_dirty": bool(command_output(
            ["git", "-C", REPO_DIR, "status", "--porcelain", "--untracked-files=no"])),
        "nginx": command_output(["nginx", "-v"]),
        "wrk": command_output(["wrk", "-v"]),
        "curl": command_output(["curl", "-V"]),
        "python3": platform.python_version(),
        "aiohttp": aiohttp_version,
        "node": command_output(["node", "--version"]),
        "playwright-core": playwright_core_version(),
        "chromium": command_output(["chromium", "--version"]),
        "gnuplot": command_output(["gnuplot", "--version"]),
    }
    return machine, versions


# --- output ----------------------------------------------------------------------------------


def number(value):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(records):
    """Rows: one per side; the primary side's row carries the verdicts."""
    rows = [("workload", "side", "median", "range", "asyncscrape is", "")]
    for record in records:
        if not record["sides"]:
            rows.append((record["name"], "-", "error", "", "", record["error"] or ""))
            continue
        first = True
        for name, side in record["sides"].items():
            median = side.get("median")
            unit = record["unit"]
            if median is None:
                shown, spread = "error", ""
            else:
                shown = f"{number(median)} {unit}"
                spread = f"{number(side['min'])}-{number(side['max'])}"
            ratio = record["ratios"].get(name)
            extra = side["errors"][0] if median is None and side["errors"] else ""
            if name == record.get("primary") and side.get("metrics"):
                extra = " ".join(f"{key}={number(value)}" for key, value in
                                 side["metrics"].items())
            rows.append((record["name"] if first else "", name, shown, spread,
                         f"{ratio:.2f}x" if ratio else "", extra))
            first = False
        for entry in record["verdicts"]:
            shown = number(entry.get("value"))
            rows.append(("", "  target", entry["text"], f"got {shown}",
                         entry["verdict"].upper() if entry["verdict"] != "met" else "met", ""))
        if record["status"] == "error":
            rows.append(("", "  error", "", "", "", record["error"] or ""))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) +
                     ("  " + row[5] if row[5] else ""))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def chart_bars(records):
    """One bar per target: how far asyncscrape is from winning, normalised so that the target
    mark sits at the target's own bound (ratios) or at 1 (absolute targets: bound / value for
    lower-is-better, value / bound otherwise)."""
    bars = []
    for record in records:
        for entry in record["verdicts"]:
            value, bound = entry.get("value"), entry.get("bound")
            if value is None or bound is None or value <= 0:
                continue
            if entry["kind"] == "ratio":
                shown, mark = value, bound
                label = f"{record['name']}: vs {entry['target'][1]}"
            else:
                smaller_is_better = entry["op"] in ("<=", "<")
                shown = bound / value if smaller_is_better else value / bound
                mark = 1.0
                side = entry["target"][1]
                short = side.replace("asyncscrape-", "")
                owner = (record["name"] if side == record.get("primary")
                         else f"{record['name']} ({short})")
                if entry["kind"] == "metric":
                    label = f"{owner}: {entry['target'][2]}"
                else:
                    label = f"{owner}: {entry['op']} {bound:g} {record['unit']}"
            bars.append((label, shown, mark, entry["verdict"] == "met"))
    return bars


CHART_LEGEND = "bars: asyncscrape / peer, or bound / value for absolute targets; dots: the targets"


def write_chart(records, path, stamp):
    """An SVG made by gnuplot; returns False (and says why) where it could not."""
    bars = chart_bars(records)
    if not bars or not shutil.which("gnuplot"):
        print("driver: no chart (" + ("no target measured" if not bars else "gnuplot missing") +
              ")", file=sys.stderr)
        return False
    data = path + ".dat"
    with open(data, "w") as file:
        for index, (label, shown, mark, met) in enumerate(bars):
            label = label.replace('"', "'")
            file.write(f'{index} {shown:.6g} {mark:.6g} {1 if met else 0} "{label}"\n')
    low = min(min(shown, mark) for _, shown, mark, _ in bars) / 2
    high = max(max(shown, mark) for _, shown, mark, _ in bars) * 2
    script = f"""
set terminal svg size {max(640, 75 * len(bars) + 200)},600 dynamic font "sans,11" background "white"
set output "{path}"
set title "asyncscrape beside its peers, {stamp}\\n{CHART_LEGEND}"
set logscale y
set yrange [{low:.6g}:{high:.6g}]
set ylabel "times as good as the peer (log)"
set style fill solid 0.8 border -1
set boxwidth 0.6
set xtics rotate by -35 left noenhanced
set bmargin 12
set rmargin 12
set xrange [-0.7:{len(bars) - 0.3}]
set grid ytics
set key outside top center horizontal
plot "{data}" using 1:($4 == 1 ? $2 : 1/0):xtic(5) with boxes lc rgb "#2e8b57" \\
       title "target met", \\
     "{data}" using 1:($4 == 0 ? $2 : 1/0) with boxes lc rgb "#c0392b" title "target missed", \\
     "{data}" using 1:3 with points pt 7 ps 1.2 lc rgb "black" title "target", \\
     1 with lines dt 2 lc rgb "gray" notitle
"""
    result = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    os.remove(data)
    if result.returncode != 0:
        print(f"driver: gnuplot failed: {result.stderr.strip()}", file=sys.stderr)
        return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of every side")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--build", default=os.path.join(REPO_DIR, "build"),
                        help="build dir with bin/ (default build)")
    parser.add_argument("--results", default=os.path.join(BENCH_DIR, "results"),
                        help="where the JSON and SVG go (default bench/results)")
    parser.add_argument("--fail-on-error", action="store_true",
                        help="exit 1 when a workload failed (never for a missed target)")
    args = parser.parse_args()
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    only = [name for name in args.only.split(",") if name]

    if build_type(args.build) not in ("Release", None):
        print(f"driver: {args.build} is a {build_type(args.build)} build; figures are meant for "
              "a Release build", file=sys.stderr)
    started = datetime.datetime.now(datetime.timezone.utc)
    stamp = started.strftime("%Y-%m-%dT%H%M%SZ")
    progress = Progress()
    ctx = benchlib.Ctx(args.build, args.quick, log=progress)
    records = []
    try:
        progress("starting nginx")
        ctx.start_nginx()
        workloads = discover(only)
        for index, (name, module, failure) in enumerate(workloads):
            progress.prefix = f"[{index + 1}/{len(workloads)}] {name}: "
            if module is None:
                records.append(error_record(name, "import failed: " +
                                            failure.strip().splitlines()[-1]))
                continue
            records.append(run_workload(module, ctx, args.reps, progress))
    finally:
        progress.prefix = ""
        progress("cleaning up")
        ctx.cleanup()
        progress.done()

    machine, versions = machine_and_versions()
    versions["build_type"] = build_type(args.build)
    finished = datetime.datetime.now(datetime.timezone.utc)
    report = {
        "started": started.isoformat(), "seconds": (finished - started).total_seconds(),
        "quick": args.quick, "reps": args.reps, "machine": machine, "versions": versions,
        "workloads": records,
    }
    os.makedirs(args.results, exist_ok=True)
    json_path = os.path.join(args.results, f"{stamp}.json")
    svg_path = os.path.join(args.results, f"{stamp}.svg")
    with open(json_path, "w") as file:
        json.dump(report, file, indent=1)
        file.write("\n")
    shutil.copyfile(json_path, os.path.join(args.results, "latest.json"))
    latest_svg = os.path.join(args.results, "latest.svg")
    if write_chart(records, svg_path, stamp):
        shutil.copyfile(svg_path, latest_svg)
    elif os.path.exists(latest_svg):
        os.remove(latest_svg)  # an older run's chart beside this run's latest.json would lie

    print(f"asyncscrape benchmarks, {stamp}{' (quick)' if args.quick else ''}, "
          f"{args.reps} repetitions, medians; {machine['cores']} cores, {machine['cpu']}")
    print(table(records))
    print(f"\n{json_path}" + (f"\n{svg_path}" if os.path.exists(svg_path) else ""))
    failed = [record["name"] for record in records if record["status"] == "error"]
    if failed:
        print(f"driver: {len(failed)} workload(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed and args.fail_on_error else 0


if __name__ == "__main__":
    sys.exit(main())
