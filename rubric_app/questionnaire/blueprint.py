"""The questionnaire blueprint object, shared by the view modules that add routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("questionnaire", __name__)
