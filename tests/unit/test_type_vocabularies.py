"""The Literal types mypy checks call sites against stay in step with the lists the app shows.

``AuditAction`` must name exactly the actions ``ACTION_LABELS`` labels (so no recorded action
shows under its raw name), and ``ErrorCode`` exactly the codes ``CODES`` describes (which the
rubric-format doc lists). The last test reads the source: every action literally passed to
``audit.record`` is one of ``AuditAction``, a check that holds even where mypy is not run.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path
from typing import get_args

from rubric_app.audit import ACTION_LABELS, AuditAction
from rubric_app.rubrics.errors import CODES, ErrorCode

PACKAGE = Path(__file__).resolve().parents[2] / "rubric_app"


def _no_repeats(values: tuple[object, ...]) -> list[object]:
    return [value for value, count in Counter(values).items() if count > 1]


def test_audit_action_literal_matches_the_labels() -> None:
    actions = get_args(AuditAction)
    assert not _no_repeats(actions)
    assert set(actions) == set(ACTION_LABELS), (
        sorted(set(actions) - set(ACTION_LABELS)),
        sorted(set(ACTION_LABELS) - set(actions)),
    )


def test_error_code_literal_matches_the_catalogue() -> None:
    codes = get_args(ErrorCode)
    assert not _no_repeats(codes)
    assert set(codes) == set(CODES), (
        sorted(set(codes) - set(CODES)),
        sorted(set(CODES) - set(codes)),
    )


def _strings(node: ast.expr) -> list[str]:
    """The string constants an action argument can evaluate to (a constant or a conditional)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def test_every_recorded_action_is_in_the_literal() -> None:
    recorded: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and len(node.args) >= 2
            ):
                recorded.update(_strings(node.args[1]))
    # Sanity: the scan finds the calls (dozens of them) rather than passing vacuously.
    assert len(recorded) > 30
    assert recorded <= set(get_args(AuditAction)), sorted(recorded - set(get_args(AuditAction)))
