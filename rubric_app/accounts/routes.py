"""The accounts blueprint: sign-in and passwords, organizations and members, sharing.

The routes live in view modules by subject (verify_views confirms e-mail addresses,
two_step_views runs two-step sign-in, signin_link_views signs in with an e-mailed one-time
link); importing them here attaches them to ``bp``, which ``create_app`` registers.
"""

from __future__ import annotations

from rubric_app.accounts import (
    auth_views,
    org_framework_views,
    org_views,
    sharing_views,
    signin_link_views,
    two_step_views,
    verify_views,
)
from rubric_app.accounts.blueprint import bp

__all__ = [
    "auth_views",
    "bp",
    "org_framework_views",
    "org_views",
    "sharing_views",
    "signin_link_views",
    "two_step_views",
    "verify_views",
]
