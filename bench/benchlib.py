"""What the benchmark driver hands every workload: the `Ctx` (paths, the shared nginx target,
processes that are cleaned up, small HTTP helpers) and the peers' common measurements (wrk).

Standard library only: the harness runs with Debian's /usr/bin/python3 and nothing else.
Workloads read this module; the driver (bench/driver.py) creates one Ctx per run.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

# The 2 KB page of the fan-out ("<html><body>" and 'a's up to 2048 bytes of payload).
PAGE_BYTES = b"<html><body>" + b"a" * 2048 + b"\n"


def nginx_config(directory, port, root, pid_file):
    """An nginx.conf: one worker, no access log, keep-alive without limit, serving `root` on
    127.0.0.1:`port`, files answered as JSON when their extension says nothing else."""
    return f"""worker_processes 1;
pid {pid_file};
error_log {directory}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {directory}; proxy_temp_path {directory};
  fastcgi_temp_path {directory}; uwsgi_temp_path {directory}; scgi_temp_path {directory};
  keepalive_requests 100000000;
  types {{ text/html html; application/json json; }}
  default_type application/json;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
"""


class Ctx:
    """One per driver run. Attributes: quick, build_dir, work, www."""

    def __init__(self, build_dir, quick, log=None):
        self.quick = quick
        self.build_dir = os.path.abspath(build_dir)
        self.work = tempfile.mkdtemp(prefix="asyncscrape-bench-")
        # nginx's workers run as www-data and must read the pages.
        os.chmod(self.work, 0o755)
        self.www = os.path.join(self.work, "www")
        os.makedirs(self.www)
        with open(os.path.join(self.www, "page.html"), "wb") as page:
            page.write(PAGE_BYTES)
        with open(os.path.join(self.www, "small.html"), "w") as page:
            page.write("<html><body>small page</body></html>\n")
        self._log = log or (lambda message: print(message, file=sys.stderr, flush=True))
        self._processes = []
        self._nginx_port = None

    # --- paths and ports -----------------------------------------------------------------------

    def bin(self, name):
        """The path of an executable of the build: <build>/bin/<name>."""
        return os.path.join(self.build_dir, "bin", name)

    def free_port(self):
        """A loopback port free right now (the kernel's choice for an ephemeral bind)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def tempdir(self, prefix):
        """A fresh directory under ctx.work (removed with it)."""
        return tempfile.mkdtemp(prefix=prefix, dir=self.work)

    # --- the shared nginx target ---------------------------------------------------------------

    def start_nginx(self):
        """Starts the nginx every workload shares (one worker, serving ctx.www). The driver calls
        it once; workloads use ctx.nginx_url()."""
        port = self.free_port()
        directory = os.path.join(self.work, "nginx")
        os.makedirs(directory, exist_ok=True)
        config = os.path.join(directory, "nginx.conf")
        with open(config, "w") as file:
            pid_file = os.path.join(directory, "nginx.pid")
            file.write(nginx_config(directory, port, self.www, pid_file))
        # In the foreground, so that it is our child and cleaned up with the others.
        self.spawn(["nginx", "-c", config, "-g", "daemon off;"])
        self._nginx_port = port
        self.wait_http(self.nginx_url("/page.html"), 10)

    def nginx_url(self, path):
        """http://127.0.0.1:<port><path> on the shared nginx (path starts with '/')."""
        if self._nginx_port is None:
            raise RuntimeError("the shared nginx is not started")
        return f"http://127.0.0.1:{self._nginx_port}{path}"

    # --- processes -----------------------------------------------------------------------------

    def run(self, cmd, timeout=120, **kwargs):
        """Runs a command to its end: (stdout, stderr, returncode), text."""
        stdout, stderr, rc, _ = self.run_rss(cmd, timeout, **kwargs)
        return stdout, stderr, rc

    def run_rss(self, cmd, timeout=120, **kwargs):
        """As run(), plus the peak resident memory of the process in MB (its own rusage)."""
        _, rss_mb, rc, stdout, stderr = self._run_waited(cmd, timeout, **kwargs)
        return stdout, stderr, rc, rss_mb

    def run_timed(self, cmd, timeout=120, **kwargs):
        """Runs a command to its end: (seconds of wall time from exec to exit, peak RSS in MB,
        returncode, stdout, stderr)."""
        return self._run_waited(cmd, timeout, **kwargs)

    def _run_waited(self, cmd, timeout, **kwargs):
        # Output to files and a blocking wait4: the child's own rusage (ru_maxrss, KB on Linux)
        # and an exact end time, which communicate() gives neither of.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            process = subprocess.Popen(cmd, stdout=out, stderr=err, **kwargs)
            killer = threading.Timer(timeout, process.kill)
            killer.start()
            try:
                _, status, usage = os.wait4(process.pid, 0)
            finally:
                killer.cancel()
            seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode == -signal.SIGKILL and seconds >= timeout:
                raise RuntimeError(f"{os.path.basename(cmd[0])} took more than {timeout} s")
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode(errors="replace")
            stderr = err.read().decode(errors="replace")
        return seconds, usage.ru_maxrss / 1024, process.returncode, stdout, stderr

    def spawn(self, cmd, **kwargs):
        """Starts a process that lives beside the measurements (a server); killed at the end of
        the run, or earlier with ctx.stop()."""
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        process = subprocess.Popen(cmd, **kwargs)
        self._processes.append(process)
        return process

    def stop(self, process, timeout=10):
        """SIGTERM, then SIGKILL after `timeout` s; forgets the process."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self._processes:
            self._processes.remove(process)

    def peak_rss_mb(self, process):
        """Peak resident memory (VmHWM) in MB of a living process (a Popen or a pid)."""
        pid = process if isinstance(process, int) else process.pid
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmHWM for pid {pid}")

    def cleanup(self):
        """Stops every process spawned and removes ctx.work."""
        for process in list(reversed(self._processes)):
            try:
                self.stop(process, timeout=5)
            except Exception as error:  # noqa: BLE001 -- cleanup goes on
                self.log(f"cleanup: {error}")
        shutil.rmtree(self.work, ignore_errors=True)

    # --- HTTP ----------------------------------------------------------------------------------

    def wait_http(self, url, timeout=10):
        """Waits until GET url answers 200; raises after `timeout` s."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError as error:
                last = error
            time.sleep(0.02)
        raise RuntimeError(f"{url} did not answer 200 within {timeout} s ({last})")

    def http_json(self, method, url, body=None, timeout=30):
        """One request with a JSON body (or none); the answer's JSON."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def http_bytes(self, url, timeout=30):
        """GET url: the body's bytes, exactly as served."""
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()

    def log(self, message):
        """A progress line."""
        self._log(message)

    # --- peers shared by several workloads -----------------------------------------------------

    def wrk(self, url, seconds, connections=64, threads=1):
        """Requests per second that wrk reports for GETs of url (keep-alive connections)."""
        stdout, stderr, rc = self.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url],
            timeout=seconds + 30)
        match = re.search(r"Requests/sec:\s*([0-9.]+)", stdout)
        if rc != 0 or not match:
            raise RuntimeError(f"wrk failed (rc {rc}): {stderr.strip() or stdout.strip()}")
        errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", stdout)
        if errors:
            raise RuntimeError(f"wrk: {errors.group(1)} answers were not 2xx")
        return float(match.group(1))


def health_url(port):
    return f"http://127.0.0.1:{port}/v1/health"


def wait_port_http(port, path="/v1/health", timeout=10):
    """Polls 127.0.0.1:port with GET path every millisecond until it answers 200; returns the
    time it answered (time.perf_counter()). For start-up times, where urllib is too slow."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(request)
                head = connection.recv(64)
                if head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"):
                    return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.001)
    raise RuntimeError(f"127.0.0.1:{port}{path} did not answer 200 within {timeout} s")


# --- asyncscrape-server ------------------------------------------------------------------------


def server_command(ctx, port, store="memory", data_dir=None, extra=()):
    """The command line of asyncscrape-server on 127.0.0.1:port, jobs allowed to reach loopback
    (the targets are ours), quiet."""
    cmd = [ctx.bin("asyncscrape-server"), "--listen", f"127.0.0.1:{port}", "--store", store,
           "--allow-private-targets", "--log-level", "warn"]
    if data_dir is not None:
        cmd += ["--data", data_dir]
    return cmd + list(extra)


def start_server(ctx, store="memory", extra=()):
    """Starts asyncscrape-server for a workload: (process, "http://127.0.0.1:port/v1")."""
    port = ctx.free_port()
    data_dir = ctx.tempdir("server-data-") if store == "sqlite" else None
    process = ctx.spawn(server_command(ctx, port, store, data_dir, extra))
    ctx.wait_http(health_url(port), 10)
    return process, f"http://127.0.0.1:{port}/v1"


def create_run(ctx, api, url, requests):
    """A collection of `requests` GETs of url and a run of it: (collection id, run URL)."""
    collection = ctx.http_json("POST", f"{api}/async/collections",
                               {"name": "bench", "requests": [{"url": url}] * requests})
    run = ctx.http_json("POST", f"{api}/async/collections/{collection['id']}/run")
    return collection["id"], f"{api}/async/collections/{collection['id']}/runs/{run['run_id']}"


def finished_run_as_file(ctx, api, filename):
    """A finished run of one GET of the nginx page, and its run object's bytes written to
    ctx.www/filename, for nginx to serve the same bytes: the run URL."""
    _, run_url = create_run(ctx, api, ctx.nginx_url("/page.html"), 1)
    run = wait_run(ctx, run_url)
    if run["success_requests"] != 1:
        raise RuntimeError(f"the run did not succeed: {run}")
    with open(os.path.join(ctx.www, filename), "wb") as file:
        file.write(ctx.http_bytes(run_url))
    return run_url


def wait_run(ctx, run_url, timeout=120):
    """Polls a run until it is no longer in progress; its last run object."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = ctx.http_json("GET", run_url)
        if run["status"] != "in_progress":
            return run
        time.sleep(0.05)
    raise RuntimeError(f"run {run_url} still in progress after {timeout} s")
