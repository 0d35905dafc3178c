"""State dashboard pages (being built)."""

from flask import Blueprint

bp = Blueprint("states", __name__)
