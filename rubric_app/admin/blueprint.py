"""The admin blueprint object; ``views`` adds its routes, ``create_app`` registers it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
