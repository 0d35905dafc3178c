"""The JSON export of one assessment (``"format": "rubric_app.assessment/1"``).

It carries what another server needs to recreate the assessment (rubric id, version and
content hash, period, status, every item's stored state) and, for people and tools reading it,
the scores and gaps from ``rubric_app.scoring``, the same figures the report page and the PDF
show. ``importer.py`` reads it back.

Every export is signed by this server (``signature.py``: HMAC-SHA256 with a key derived from
``SECRET_KEY``), so an import here can tell a file this server made and nobody changed from
any other. The ``snapshot_hash`` in it is only a checksum of the answers: it detects accidental
change, but anyone editing the file can recompute it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from rubric_app.assessments import load_states, rubric_for
from rubric_app.models import Assessment
from rubric_app.scoring import find_gaps, score_assessment, score_text

from .citations import citations_json, citations_of
from .labels import item_numbers
from .law_section import build_law_section, law_json, organization_frameworks, required_first
from .signature import sign_export

FORMAT = "rubric_app.assessment/1"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def server_keys() -> list[str | bytes]:
    """The keys this server signs with (the first) and still accepts (all).

    ``SECRET_KEY``, then Flask's ``SECRET_KEY_FALLBACKS`` (the keys it replaced), so exports
    made before a key rotation still verify while the old key is kept as a fallback.
    """
    config = current_app.config
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    return [config["SECRET_KEY"], *fallbacks]


def export_assessment(session: Session, assessment: Assessment) -> dict[str, Any]:
    """Return the JSON-friendly export of ``assessment``, signed by this server."""
    rubric = rubric_for(assessment)
    version = assessment.rubric_version
    org = assessment.organization
    states = load_states(session, assessment)
    score = score_assessment(rubric, {item_id: s.to_answer() for item_id, s in states.items()})
    gaps = find_gaps(rubric, score)
    scores = score.to_dict()
    law = build_law_section(
        organization_frameworks(session, org.id, org.state),
        rubric,
        states,
        item_numbers(rubric),
        org.state,
    )
    # A score below the rubric's coverage threshold is null here, with "coverage" saying why
    # and "score_text" carrying the words the report shows ("not enough answers").
    sections = [
        {**section, "score_text": score_text(shown.percent, shown.coverage)}
        for section, shown in zip(scores["sections"], score.sections, strict=True)
    ]
    data = {
        "format": FORMAT,
        "rubric": {
            "id": version.rubric_key,
            "version": version.version,
            "content_hash": version.content_hash,
            "title": version.title,
        },
        "organization": {"name": org.name, "kind": org.kind, "state": org.state},
        "title": assessment.title,
        "period": assessment.period,
        "status": assessment.status,
        "revision": assessment.revision,
        "submitted_at": _iso(assessment.submitted_at),
        "snapshot_hash": assessment.snapshot_hash,
        "items": {item_id: state.to_dict() for item_id, state in sorted(states.items())},
        "scores": {
            "percent": scores["percent"],
            "level": scores["level"],
            "score_text": score_text(score.percent, score.coverage),
            "by_dimension": scores["by_dimension"],
            "coverage": scores["coverage"],
            "dimension_coverage": scores["dimension_coverage"],
            "answered": scores["answered"],
            "applicable": scores["applicable"],
            "completion": scores["completion"],
            "gaps": scores["gaps"],
            "essential_gaps": scores["essential_gaps"],
            "sections": sections,
        },
        # Visible items nobody answered, numbered as the report numbers them.
        "unanswered": [
            {"item_id": item_id, "number": rubric.item_number(item_id)}
            for item_id, item in score.items.items()
            if item.visible and not item.answered
        ],
        # In the report's order: gaps a law requires first (``law_section.required_first``).
        "gaps": [
            {
                **gap.to_dict(),
                "priority": rank,
                "required_by": list(law.required_by.get(gap.item_id, ())),
            }
            for rank, gap in enumerate(required_first(gaps, law), start=1)
        ],
        # Your state's law, judged on these answers (for readers; the importer ignores it).
        "law": law_json(law),
        # Accepted agreement evidence by item, with the file's SHA-256 (the importer ignores it).
        "citations": citations_json(citations_of(session, assessment, rubric)),
    }
    return sign_export(data, server_keys()[0])
