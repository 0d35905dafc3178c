"""Questionnaire pages (being built)."""

from flask import Blueprint

bp = Blueprint("questionnaire", __name__)
