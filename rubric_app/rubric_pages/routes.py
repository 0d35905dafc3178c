"""Rubric method pages (being built)."""

from flask import Blueprint

bp = Blueprint("rubric_pages", __name__)
