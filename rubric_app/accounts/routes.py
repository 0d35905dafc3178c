"""The accounts blueprint: sign-in and passwords, organizations and members, sharing.

The routes live in four view modules by subject (verify_views confirms e-mail addresses);
importing them here attaches them to ``bp``, which ``create_app`` registers.
"""

from __future__ import annotations

from rubric_app.accounts import auth_views, org_views, sharing_views, verify_views
from rubric_app.accounts.blueprint import bp

__all__ = ["auth_views", "bp", "org_views", "sharing_views", "verify_views"]
