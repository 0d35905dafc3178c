"""The states blueprint object; ``routes`` adds its views, ``create_app`` registers it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("states", __name__)
