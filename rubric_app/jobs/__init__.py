"""Background jobs: a Huey queue, job rows users can watch, and the job kinds' registry.

``queue`` builds the queue from the settings and runs jobs (``runner``); ``operations`` writes
the job rows (idempotent ``request_job``); ``registry`` names each kind of work; ``routes`` shows
a job's status to the user who started it; ``files`` keeps what jobs make for download;
``maintenance`` prunes. Features register their kinds (``reports.pdf_jobs``,
``states.bulk_reports``).
"""
