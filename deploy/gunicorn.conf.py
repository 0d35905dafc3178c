"""gunicorn settings for ``make serve``: threaded workers that keep answering with slow clients.

Read by ``gunicorn --config deploy/gunicorn.conf.py wsgi:app``. Every value can be changed
through the environment, so a deployment never edits this file:

- ``HOST`` / ``PORT``: where to listen (default 127.0.0.1:8000; nginx proxies to it).
- ``WEB_CONCURRENCY``: worker processes (default: one per CPU this process may use, at least 2).
- ``WEB_THREADS``: threads per worker (default 32, see below).
- ``RUBRIC_APP_TRUSTED_PROXIES``: the app's own setting; when it is above 0, gunicorn also
  trusts ``X-Forwarded-Proto`` from ``FORWARDED_ALLOW_IPS`` (default the loopback addresses,
  where nginx runs), else from nobody.
- ``PROMETHEUS_MULTIPROC_DIR``: an empty directory for the workers' shared metrics files (see
  ``child_exit`` below and docs/deploy.md).

Why ``gthread`` with many threads: a connection whose headers arrive a byte at a time holds one
thread of one worker until the last header line arrives (gunicorn waits for the first byte
without a thread, but reads the rest of the request in the thread). A sync worker has a single
thread, so a handful of such clients stops the whole server; with 32 threads per worker, a
worker stays responsive until 32 trickling connections land on it. nginx in front is still the
real protection (it reads whole requests before passing them on, with its own timeouts):
docs/deploy.md has the measurements and the nginx settings.
"""

from __future__ import annotations

import gc
import os


def _int_env(name: str, default: int) -> int:
    """Return the environment variable ``name`` as a positive integer, or ``default``."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def _usable_cpus() -> int:
    # sched_getaffinity honours CPU pinning (containers, taskset); cpu_count would not.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _forwarded_allow_ips() -> str:
    """Whom gunicorn believes about the scheme: the proxies only when the app trusts them."""
    if _int_env("RUBRIC_APP_TRUSTED_PROXIES", 0) == 0:
        # Clients connect directly: nobody may claim https for them.
        return ""
    return os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_int_env('PORT', 8000)}"
worker_class = "gthread"
# One process per CPU: a PDF render holds the GIL, so more processes than CPUs would not render
# faster, while threads cover waiting on the database and on slow clients.
workers = _int_env("WEB_CONCURRENCY", max(2, _usable_cpus()))
threads = _int_env("WEB_THREADS", 32)
# A worker that stops reporting for this long is restarted; the longest request (a large PDF
# or workbook) takes a few seconds, so 60 s only catches a hung worker.
timeout = 60
# On restart or deploy, requests in progress get this long to finish.
graceful_timeout = 30
# Idle kept-alive connections are closed after this many seconds (nginx reuses its own).
keepalive = 5
# Recycle workers now and then so a slow leak (fonts, caches of a long-running WeasyPrint)
# cannot grow for ever; the jitter keeps all workers from restarting at once.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = _forwarded_allow_ips()
# Small request line and headers: nothing in the app needs more, and it bounds parsing work.
limit_request_line = 8190
limit_request_fields = 100
# Heartbeat files in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's documented choice
accesslog = "-"
errorlog = "-"


def post_worker_init(worker: object) -> None:
    """Move what the worker loaded at start-up out of the garbage collector's way.

    The app, its rubric catalog, frameworks, templates and libraries are about 250,000 objects
    that live as long as the worker, and every full collection scanned them all again: 190 to
    260 ms, about once in ten views of the largest state's dashboard (BENCHMARKS.md). Frozen
    (the Python documentation's advice for servers that load and then serve), a full
    collection scans only what was made since: 30 to 50 ms.
    """
    gc.freeze()


def child_exit(server: object, worker: object) -> None:
    """Drop a finished worker's live gauges from the metrics when several workers share them.

    With ``PROMETHEUS_MULTIPROC_DIR`` set, every worker writes its metrics to files there and
    ``/metrics`` adds them up (docs/deploy.md); a dead worker's gauges must stop counting.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(getattr(worker, "pid", 0))
