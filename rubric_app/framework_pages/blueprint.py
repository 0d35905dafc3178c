"""The framework_pages blueprint object; ``routes`` adds its views, ``create_app`` registers it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("framework_pages", __name__)
