"""The jobs blueprint object; ``routes`` adds its views, ``create_app`` registers it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("jobs", __name__)
