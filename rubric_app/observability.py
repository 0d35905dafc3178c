"""Operations: Prometheus metrics, a request id, and one log line per request.

``init_observability(app)`` wires three things:

- **Request id.** An incoming ``X-Request-ID`` is kept only when it is a short safe token
  (letters, digits, ``.``, ``_``, ``-``; at most 64 characters), else a fresh uuid4 hex is
  used. It is on ``g.request_id``, returned in the ``X-Request-ID`` response header, and added
  to every log record made during the request (``RequestIdFilter``), so error logs carry it.
- **Request log.** One INFO line per request on the logger ``rubric_app.requests``: method,
  endpoint (the route name, never the raw path or its query string), status, duration in
  milliseconds, request id and the signed-in user's id. Never bodies, never query strings.
- **Metrics.** prometheus-flask-exporter records request latency grouped by endpoint (bounded
  label values: route names, not paths with ids) and request counts by status. ``/metrics``
  answers only to loopback clients or to a bearer token equal to ``METRICS_TOKEN``; anyone
  else gets 404. With ``PROMETHEUS_MULTIPROC_DIR`` set (several gunicorn workers), the page
  aggregates every worker's files through prometheus_client's multiprocess collector. The
  job queue's figures (depth, oldest waiting job, failures, retries) come along from
  ``rubric_app.jobs.metrics``.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import time
import uuid

from flask import Flask, Response, abort, current_app, g, has_request_context, request
from flask.logging import default_handler
from flask.typing import ResponseReturnValue
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_flask_exporter import PrometheusMetrics

from rubric_app.jobs.metrics import JOB_FAILURES, JOB_RETRIES, JobsCollector

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_LOGGER = "rubric_app.requests"
METRICS_ENDPOINT = "observability.metrics"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)
#: Endpoint label for requests that matched no route (404s), so probes add no label values.
UNMATCHED = "unmatched"
_ENVIRON_KEY = "rubric_app.request_id"
_STARTED_KEY = "rubric_app.request_started"
_JOBS_COLLECTOR = "rubric_app.jobs_collector"


def safe_request_id(incoming: str | None) -> str:
    """Return ``incoming`` when it is a short safe token, else a new uuid4 hex."""
    if incoming and _SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request being handled (made on first use), or "-" outside a request."""
    if not has_request_context():
        return "-"
    # Kept in the WSGI environ, which belongs to this one request (an app context, and so g,
    # may outlive it); g.request_id is the copy views read.
    request_id = request.environ.get(_ENVIRON_KEY)
    if request_id is None:
        request_id = safe_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.environ[_ENVIRON_KEY] = request_id
    g.request_id = request_id
    return str(request_id)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record so formatters (and error logs) can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def endpoint(req: object) -> str:
    """The metrics label for a request: its route name, never its path."""
    return getattr(req, "endpoint", None) or UNMATCHED


def init_observability(app: Flask) -> None:
    """Install the request id, the request log and the metrics on ``app``."""
    _init_logging(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    _init_metrics(app)


#: One filter for every app: addFilter skips a filter already installed, so building many apps
#: (the tests do) does not pile up copies on Flask's shared default handler.
_ID_FILTER = RequestIdFilter()


def _init_logging(app: Flask) -> None:
    id_filter = _ID_FILTER
    # On the app logger for records logged there; on Flask's default handler for records of
    # child loggers (rubric_app.requests, ...) that propagate to it.
    app.logger.addFilter(id_filter)
    default_handler.addFilter(id_filter)
    default_handler.setFormatter(
        logging.Formatter(
            "[%(asctime)s] %(levelname)s in %(module)s [request %(request_id)s]: %(message)s"
        )
    )
    requests_logger = logging.getLogger(REQUEST_LOGGER)
    requests_logger.addFilter(id_filter)
    if requests_logger.level == logging.NOTSET:
        # The app logger's effective level is WARNING outside debug mode: the request lines
        # are INFO and must still be written.
        requests_logger.setLevel(logging.INFO)


#: The request log's logger (``logging.getLogger`` takes a lock on every call).
_REQUEST_LOG = logging.getLogger(REQUEST_LOGGER)


def _start_request() -> None:
    request.environ[_STARTED_KEY] = time.perf_counter()
    current_request_id()


def _finish_request(response: Response) -> Response:
    request_id = current_request_id()
    response.headers[REQUEST_ID_HEADER] = request_id
    environ = request.environ
    started = environ.get(_STARTED_KEY)
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    # Each read once (every name below is a context-local lookup), and the request id handed
    # to the record so that the filters need not look it up again.
    method = request.method
    route = request.endpoint or UNMATCHED
    status = response.status_code
    user_id = _user_id()
    _REQUEST_LOG.info(
        "%s %s %s %.1fms request_id=%s user=%s",
        method,
        route,
        status,
        duration_ms,
        request_id,
        user_id,
        extra={
            "request_id": request_id,
            "http_method": method,
            "endpoint": route,
            "status": status,
            "duration_ms": round(duration_ms, 1),
            "user_id": user_id,
        },
    )
    return response


def _user_id() -> str:
    # Only a user Flask-Login has already loaded for this request: loading one here would add a
    # session query to requests (static files, /healthz) that never needed it.
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        # The database id, not get_id(): that is the session's secret token (alternative id).
        return str(getattr(user, "id", "-"))
    return "-"


def _init_metrics(app: Flask) -> None:
    # A registry per app: tests build many apps in one process, and the default registry
    # refuses a second set of metrics with the same names.
    metrics = PrometheusMetrics(
        app,
        path=None,
        group_by=endpoint,
        registry=CollectorRegistry(auto_describe=True),
        excluded_paths=["^/metrics$"],
    )
    app.extensions["prometheus_metrics"] = metrics
    # The job counters belong to the process (one object each, on every app's registry); the
    # job records and the broker are read per app, at each scrape.
    jobs = app.extensions[_JOBS_COLLECTOR] = JobsCollector(app)
    for collector in (JOB_FAILURES, JOB_RETRIES, jobs):
        metrics.registry.register(collector)
    app.add_url_rule("/metrics", endpoint=METRICS_ENDPOINT, view_func=_metrics_page)


def _metrics_page() -> ResponseReturnValue:
    """The Prometheus exposition, for loopback clients or the configured bearer token."""
    if not _may_read_metrics():
        abort(404)
    metrics: PrometheusMetrics = current_app.extensions["prometheus_metrics"]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each gunicorn worker writes its own files; the collector adds them up.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        # The job counters are in the files too; the job records are read here.
        registry.register(current_app.extensions[_JOBS_COLLECTOR])
    else:
        registry = metrics.registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _may_read_metrics() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
