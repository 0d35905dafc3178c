"""The admin blueprint with its routes attached (importing the views registers them)."""

from __future__ import annotations

from rubric_app.admin import views
from rubric_app.admin.blueprint import bp

__all__ = ["bp", "views"]
