"""Every module asks the access policy through its public entry points only.

``rubric_app.access`` says it is the one policy every route goes through; this holds the rest
of the package to ``can`` and the ``*_or_404`` loaders (the rules behind them stay private).
"""

from __future__ import annotations

import ast
from pathlib import Path

import rubric_app

PUBLIC = {
    "can",
    "assessment_or_404",
    "org_or_404",
    "require_site_admin",
    "is_site_admin",
    # The user's organizations and roles, read once per transaction with the roles ``can``
    # decides on (the header's switcher and the two-step rule read them too); it decides nothing.
    "memberships_of",
    # The signed-in user's memberships read with their session, handed over to be remembered
    # for the transaction (``auth_session.load_user``); it decides nothing either.
    "remember_memberships",
    "AssessmentAction",
    "OrgAction",
}
PACKAGE = Path(rubric_app.__file__).parent


def _access_names(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "rubric_app.access":
            names.extend(alias.name for alias in node.names)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "access"
        ):
            names.append(node.attr)
    return names


def test_modules_use_only_the_public_access_entry_points() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(set(names) - PUBLIC)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "access.py"
        and (names := _access_names(ast.parse(path.read_text(encoding="utf-8"))))
        and set(names) - PUBLIC
    }
    assert offenders == {}


def test_the_routes_ask_can_for_their_checks() -> None:
    # The pages that decide what to offer (edit, share, submit, plan) ask ``can`` itself.
    callers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "can" in _access_names(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert {
        "questionnaire/section_views.py",
        "questionnaire/overview_views.py",
        "reports/routes.py",
        "accounts/sharing_views.py",
        "states/routes.py",
    } <= callers
