"""The reports blueprint object; ``routes`` adds its views, ``create_app`` registers it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
