"""The agreements blueprint object; ``routes`` adds its views, ``create_app`` registers it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("agreements", __name__)
