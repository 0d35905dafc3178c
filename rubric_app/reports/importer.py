"""Import an assessment exported by ``export.py`` into an organization of this server.

The file is read as JSON only (nothing in it is executed or evaluated), size-limited and checked
strictly before anything is written: the rubric version must exist here with the same content,
every item must belong to it and every value must be one the item accepts. All problems are
reported together.

Whether the file is trusted as it says depends on its signature (``signature.py``), not on its
snapshot hash: the hash is a checksum that catches accidental damage, and anyone who edits the
answers can recompute it. A file signed by this server and unchanged keeps its status: a
submitted export is submitted again, and its snapshot hash must come out the same (else the
rubric code differs and nothing is imported). Any other file (unsigned, signed by another
server, or changed after signing) is "not verifiable": it is imported as a draft, never as
submitted, and the verdict says why, so its answers can be checked before someone submits it.
A signed file also comes in as a draft when it names another organization of this server than
the one importing it, or when its period is changed on import (``_why_draft``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.org_names import name_key
from rubric_app.assessments import (
    NOTE_FIELDS,
    AssessmentError,
    ItemChange,
    ItemState,
    save_items,
    start_assessment,
    submit,
)
from rubric_app.hostile_input import MAX_JSON_DEPTH, has_lone_surrogate, json_too_deep, text_problem
from rubric_app.models import Assessment, Organization, RubricVersion, User
from rubric_app.rubric_versions import rubric_of
from rubric_app.rubrics.answer_types import AnswerError, answer_type
from rubric_app.rubrics.model import Item, Rubric

from .export import FORMAT, server_keys
from .signature import Verdict, verify_export

#: Largest file accepted. A full export of the largest rubric with long notes is ~200 KB.
IMPORT_MAX_BYTES = 1024 * 1024
#: Problems listed before "and N more", so one broken file does not bury the page.
MAX_LISTED = 20

_STATE_KEYS = frozenset({"values", *NOTE_FIELDS})
_TEXT_LIMITS = {"na_reason": 10_000, "comment": 10_000, "evidence_quote": 10_000}
#: Texts typed in text areas, where line breaks and tabs belong (see rubric_app.hostile_input).
_MULTILINE = frozenset(_TEXT_LIMITS)
_HASH = re.compile(r"^[0-9a-f]{64}$")


class ImportProblem(ValueError):
    """The file cannot be imported; ``errors`` says every reason, in plain words."""

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:MAX_LISTED]
        if len(errors) > MAX_LISTED:
            shown.append(f"… and {len(errors) - MAX_LISTED} more problems.")
        super().__init__(" ".join(shown))
        self.errors = shown


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in an export file")


def _strings(data: Any) -> Iterator[str]:
    """Every key and text value in parsed JSON (no deeper than MAX_JSON_DEPTH, so recursion
    is bounded)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def parse_export(raw: bytes) -> dict[str, Any]:
    """Decode and parse the file; raise ImportProblem if it is not a JSON object we can read."""
    if len(raw) > IMPORT_MAX_BYTES:
        raise ImportProblem(
            [f"The file is larger than {IMPORT_MAX_BYTES // 1024} KB; exports are far smaller."]
        )
    # Measured before parsing: json.loads raises RecursionError, not ValueError, on deep nesting.
    if json_too_deep(raw):
        raise ImportProblem(
            [
                f"The file nests lists and objects more than {MAX_JSON_DEPTH} levels deep; "
                "an export nests only a few levels, so this is not one."
            ]
        )
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ImportProblem(["The file is not UTF-8 text; choose the .json export file."]) from None
    except ValueError as error:
        raise ImportProblem([f"The file is not valid JSON ({error})."]) from None
    if not isinstance(data, dict):
        raise ImportProblem(["The file does not contain an exported assessment."])
    # Refused before any message could quote one: a page cannot encode a lone surrogate.
    if any(has_lone_surrogate(text) for text in _strings(data)):
        raise ImportProblem(
            [
                "The file contains a broken character (a lone surrogate such as \\ud800) "
                "that cannot be stored; export the assessment again."
            ]
        )
    if data.get("format") != FORMAT:
        raise ImportProblem(
            [
                f"The file's format is {data.get('format')!r}; this server reads {FORMAT!r} "
                "(the .json export of an assessment)."
            ]
        )
    return data


def _text(data: Mapping[str, Any], key: str, errors: list[str], *, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        errors.append(f"'{key}' must be non-empty text.")
        return ""
    if len(value) > limit:
        errors.append(f"'{key}' must be at most {limit} characters.")
    problem = text_problem(value)
    if problem is not None:
        errors.append(f"'{key}' {problem}.")
    return value.strip()


def _find_version(session: Session, data: Mapping[str, Any], errors: list[str]) -> RubricVersion:
    rubric = data.get("rubric")
    if not isinstance(rubric, dict) or not all(
        isinstance(rubric.get(key), str) for key in ("id", "version")
    ):
        raise ImportProblem(["'rubric' must give the rubric's 'id' and 'version'."])
    rubric_id, version_label = rubric["id"], rubric["version"]
    version = session.scalar(
        select(RubricVersion).where(
            RubricVersion.rubric_key == rubric_id, RubricVersion.version == version_label
        )
    )
    if version is None:
        raise ImportProblem(
            [
                f"This server does not have rubric '{rubric_id}' version '{version_label}'. "
                "Load that rubric version here first (flask rubrics load), then import again."
            ]
        )
    content_hash = rubric.get("content_hash")
    if content_hash is not None and content_hash != version.content_hash:
        raise ImportProblem(
            [
                f"Rubric '{rubric_id}' version '{version_label}' on this server differs from the "
                "one the file was made with (content hashes differ), so the answers could "
                "change meaning."
            ]
        )
    return version


def _check_values(
    rubric: Rubric, item: Item, values: Any, errors: list[str]
) -> dict[str, str | tuple[str, ...]]:
    """Read each value the way the form does (the item's answer type); report every bad one."""
    where = f"Item '{item.id}'"
    if not isinstance(values, dict):
        errors.append(f"{where}: 'values' must be an object.")
        return {}
    result: dict[str, str | tuple[str, ...]] = {}
    reader = answer_type(item)
    for dimension, value in values.items():
        if dimension not in item.answer_dimensions:
            expected = ", ".join(item.answer_dimensions)
            errors.append(f"{where}: unknown dimension '{dimension}' (expected {expected}).")
            continue
        try:
            read = reader.read(item, rubric, value)
        except AnswerError as error:
            errors.append(f"{where}, '{dimension}': {error.problem}.")
            continue
        if isinstance(value, str) and (problem := text_problem(value, multiline=True)):
            errors.append(f"{where}, '{dimension}': the value {problem}.")
            continue
        if read is not None:  # an empty value is stored as no answer, as the form does
            result[dimension] = read
    return result


def _check_state(rubric: Rubric, item: Item, data: Any, errors: list[str]) -> ItemState | None:
    where = f"Item '{item.id}'"
    if not isinstance(data, dict):
        errors.append(f"{where}: its state must be an object.")
        return None
    extra = sorted(set(data) - _STATE_KEYS)
    if extra:
        errors.append(f"{where}: unknown fields {', '.join(extra)}.")
    before = len(errors)
    values = _check_values(rubric, item, data.get("values", {}), errors)
    for key in ("not_applicable", "flagged"):
        if not isinstance(data.get(key, False), bool):
            errors.append(f"{where}: '{key}' must be true or false.")
    for key in ("na_reason", "comment", "evidence_quote", "evidence_source"):
        value = data.get(key, "")
        limit = _TEXT_LIMITS.get(key, 500)
        if not isinstance(value, str):
            errors.append(f"{where}: '{key}' must be text.")
        elif len(value) > limit:
            errors.append(f"{where}: '{key}' must be at most {limit} characters.")
        elif (problem := text_problem(value, multiline=key in _MULTILINE)) is not None:
            errors.append(f"{where}: '{key}' {problem}.")
    if data.get("not_applicable") is True and not str(data.get("na_reason", "")).strip():
        errors.append(f"{where}: marked not applicable without a reason.")
    if len(errors) > before:
        return None
    return ItemState(
        values=values,
        not_applicable=data.get("not_applicable", False),
        na_reason=data.get("na_reason", ""),
        comment=data.get("comment", ""),
        evidence_quote=data.get("evidence_quote", ""),
        evidence_source=data.get("evidence_source", ""),
        flagged=data.get("flagged", False),
    )


def validate_export(
    session: Session, data: Mapping[str, Any]
) -> tuple[RubricVersion, dict[str, ItemState]]:
    """Check the whole file against this server's rubric version; raise ImportProblem if bad."""
    errors: list[str] = []
    version = _find_version(session, data, errors)
    rubric = rubric_of(version)
    _text(data, "title", errors, limit=200)
    _text(data, "period", errors, limit=20)
    status = data.get("status")
    if status not in ("draft", "submitted"):
        errors.append("'status' must be 'draft' or 'submitted'.")
    if status == "submitted" and not (
        isinstance(data.get("snapshot_hash"), str) and _HASH.match(data["snapshot_hash"])
    ):
        errors.append("A submitted export needs its 'snapshot_hash' (64 hexadecimal digits).")
    items = data.get("items")
    states: dict[str, ItemState] = {}
    if not isinstance(items, dict):
        errors.append("'items' must be an object of item states keyed by item id.")
        items = {}
    unknown = [item_id for item_id in items if not rubric.has_item(item_id)]
    if unknown:
        errors.append(
            f"Items not in rubric '{rubric.id}' version '{rubric.version}': {', '.join(unknown)}."
        )
    for item_id, raw_state in items.items():
        if rubric.has_item(item_id):
            state = _check_state(rubric, rubric.item(item_id), raw_state, errors)
            if state is not None:
                states[item_id] = state
    if errors:
        raise ImportProblem(errors)
    return version, states


@dataclass(frozen=True)
class ImportResult:
    """The imported assessment and what the file's signature said about it."""

    assessment: Assessment
    verdict: Verdict
    #: The file said "submitted" but is imported as a draft: why (unverified, another
    #: organization's, its period changed), else "".
    why_draft: str = ""

    @property
    def kept_as_draft(self) -> bool:
        """The file said "submitted", and the assessment was imported as a draft."""
        return bool(self.why_draft)

    @property
    def notice(self) -> str:
        """The verdict, and what it meant for the import, in plain words."""
        if self.kept_as_draft:
            return (
                f"{self.verdict.message} It was submitted in the file, but {self.why_draft}, "
                "so it was imported as a draft: check its answers, then submit it here."
            )
        return self.verdict.message


def _why_draft(
    session: Session, data: Mapping[str, Any], verdict: Verdict, org: Organization, period: str
) -> str:
    """Why a file that says "submitted" must come in as a draft, or "" when it need not.

    The signature vouches for the file, not for who imports it. A file naming an organization
    of this server other than the importing one is that organization's assessment (a partner
    it was shared with can download it); a file from another server names none here, or the
    importing one. And a submission is for the period it was made in. Either would let one
    organization's review be counted as another's, or twice, in the state's figures.
    """
    if data["status"] != "submitted":
        return ""
    if not verdict.verified:
        return "this server cannot vouch for it"
    source = data.get("organization")
    source = source if isinstance(source, dict) else {}
    identity = (
        name_key(str(source.get("name", ""))),
        str(source.get("kind", "")),
        str(source.get("state", "")),
    )
    others = select(Organization.id).where(
        Organization.name_key == identity[0],
        Organization.kind == identity[1],
        Organization.state == identity[2],
        Organization.id != org.id,
    )
    if (org.name_key, org.kind, org.state) != identity and session.scalar(others.limit(1)):
        return f"it is the assessment of {str(source.get('name', ''))[:200]}, not yours"
    if period != str(data["period"]).strip():
        return f"its period was changed from {str(data['period']).strip()[:20]} to {period}"
    return ""


def import_assessment(
    session: Session,
    raw: bytes,
    *,
    org: Organization,
    user: User | None,
    period: str | None = None,
) -> ImportResult:
    """Recreate the exported assessment in ``org``; the caller commits (or rolls back on error).

    Only a file this server signed, unchanged, is imported as submitted (when it was).
    """
    data = parse_export(raw)
    version, states = validate_export(session, data)
    verdict = verify_export(data, server_keys())
    chosen_period = (period or "").strip() or str(data["period"]).strip()
    why_draft = _why_draft(session, data, verdict, org, chosen_period)
    submit_it = data["status"] == "submitted" and not why_draft
    try:
        assessment = start_assessment(
            session,
            org=org,
            version=version,
            title=str(data["title"]),
            period=chosen_period,
            user=user,
        )
    except AssessmentError as error:
        raise ImportProblem([str(error)]) from None
    changes = [ItemChange(item_id, state, None) for item_id, state in states.items()]
    save_items(session, assessment, changes, user=user, record=False)
    if submit_it:
        submit(session, assessment, user=user)
        if assessment.snapshot_hash != data["snapshot_hash"]:
            raise ImportProblem(
                [
                    "The answers in the file do not match its snapshot hash although the file "
                    "is signed by this server: it was made by an incompatible version. Nothing "
                    "was imported."
                ]
            )
    source = data.get("organization")
    source_name = str(source.get("name", "")) if isinstance(source, dict) else ""
    audit.record(
        session,
        "assessment.import",
        user_id=user.id if user else None,
        org_id=org.id,
        target=f"assessment:{assessment.id}",
        rubric=version.rubric_key,
        version=version.version,
        source_org=source_name[:200],
        snapshot_hash=data.get("snapshot_hash"),
        signature=verdict.code,
        status=assessment.status,
    )
    return ImportResult(assessment=assessment, verdict=verdict, why_draft=why_draft)
