"""The Huey instance for ``huey_consumer``: ``huey_consumer rubric_app.jobs.consumer.huey``.

Importing this module builds the app from the environment (like ``wsgi.py``), so the stock
consumer runs the same tasks with the same settings as ``flask jobs worker``.
"""

from __future__ import annotations

from rubric_app import create_app

from .queue import job_queue

app = create_app()
huey = job_queue(app).huey
