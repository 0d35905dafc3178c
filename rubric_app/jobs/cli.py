"""``flask jobs worker|prune``: run the queue's consumer, or prune by hand.

``flask jobs worker`` runs Huey's consumer on the app's queue (the same storage the web
processes write to: the SQLite file under ``instance/``, or Redis with ``REDIS_URL``). Run one
beside the web server (``make run`` does) or as many as needed on other machines
(``docs/deploy.md``). ``huey_consumer rubric_app.jobs.consumer.huey`` does the same.
"""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup
from huey.consumer import WORKER_THREAD

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
    consumer = queue.huey.create_consumer(workers=workers, worker_type=WORKER_THREAD, periodic=True)
    consumer.run()


@jobs_cli.command("prune")
def prune() -> None:
    """Delete stale PDFs, expired job files and old job records now."""
    from .maintenance import prune_everything

    pruned = prune_everything(current_app)
    click.echo(
        f"Pruned {pruned.pdfs} PDF(s), {pruned.job_files} job file(s), {pruned.jobs} job "
        f"record(s), {pruned.figures} dashboard view(s)."
    )
