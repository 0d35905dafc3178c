"""``flask jobs worker|prune``: run the queue's consumer, or prune by hand.

``flask jobs worker`` runs Huey's consumer on the app's queue (the same storage the web
processes write to: the SQLite file under ``instance/``, or Redis with ``REDIS_URL``). Run one
beside the web server (``make run`` does) or as many as needed on other machines
(``docs/deploy.md``). ``huey_consumer rubric_app.jobs.consumer.huey`` does the same.
"""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from huey.consumer import WORKER_THREAD, Consumer

from .queue import job_queue

jobs_cli = AppGroup("jobs", help="Run the background job worker; prune old files and jobs.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads that run jobs.")
def worker(workers: int) -> None:
    """Run jobs from the queue until stopped (Ctrl+C or SIGTERM finish the running jobs)."""
    queue = job_queue(current_app)
    if queue.huey.immediate:
        raise click.UsageError("JOBS_IMMEDIATE is set: jobs run where they are queued.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"Job worker: {workers} thread(s) on {type(queue.huey).__name__}.")
    consumer = make_consumer(current_app, workers)
    consumer.run()


def make_consumer(app: Flask, workers: int) -> Consumer:
    """Huey's consumer of the app's queue, with ``workers`` threads and the app's polling."""
    return job_queue(app).huey.create_consumer(
        workers=workers,
        worker_type=WORKER_THREAD,
        periodic=True,
        # An idle worker looks at the queue less and less often, up to this: Huey's default
        # (10 s) kept a job queued by a change (a dashboard to count, a PDF to draw) waiting
        # longer than the person who made the change takes to open it. A SQLite queue is a
        # local file, so a look a second costs nothing; Redis is not polled (it blocks).
        max_delay=float(app.config["JOB_POLL_MAX_SECONDS"]),
    )


@jobs_cli.command("prune")
def prune() -> None:
    """Delete stale PDFs, expired job files and old job records now."""
    from .maintenance import prune_everything

    pruned = prune_everything(current_app)
    click.echo(
        f"Pruned {pruned.pdfs} PDF(s), {pruned.job_files} job file(s), {pruned.jobs} job "
        f"record(s), {pruned.figures} dashboard view(s)."
    )
