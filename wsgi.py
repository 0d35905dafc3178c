"""WSGI entry point: `gunicorn wsgi:app`, and what `flask` finds when run from the repo root."""

from rubric_app import create_app

app = create_app()
