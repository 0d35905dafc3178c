"""The normalised, JSON-safe form of a Rubric, and its content hash.

The database stores ``rubric_to_definition(rubric)`` with every rubric version, so an assessment
stays readable after its YAML file changes or disappears; ``rubric_from_definition`` rebuilds the
identical Rubric from it. Every default is written out, so the definition (and its hash) says
exactly what the rubric means, whatever shortcuts the YAML took.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, cast

from .model import (
    DEFAULT_MIN_COVERAGE,
    Audience,
    Choice,
    Condition,
    Dimension,
    Importance,
    Item,
    ItemType,
    Level,
    Rubric,
    Scale,
    ScaleOption,
    Scoring,
    Section,
    Stage,
)

#: Bump when the shape of a definition changes, and teach rubric_from_definition the old shape.
FORMAT_VERSION = 1


def rubric_to_definition(rubric: Rubric) -> dict[str, Any]:
    """The rubric as plain JSON-safe data in a stable key order, every default spelled out."""
    return {
        "format_version": FORMAT_VERSION,
        "id": rubric.id,
        "version": rubric.version,
        "title": rubric.title,
        "summary": rubric.summary,
        "audience": list(rubric.audience),
        "issuer": list(rubric.issuer),
        "status_note": rubric.status_note,
        "family": rubric.family,
        "sources": list(rubric.sources),
        "dimensions": [
            {"id": d.id, "label": d.label, "description": d.description} for d in rubric.dimensions
        ],
        "scales": [_scale(scale) for scale in rubric.scales.values()],
        "stages": [
            {"id": s.id, "label": s.label, "description": s.description} for s in rubric.stages
        ],
        "sections": [
            {
                "id": section.id,
                "number": section.number,
                "title": section.title,
                "summary": section.summary,
                "items": [_item(item) for item in section.items],
            }
            for section in rubric.sections
        ],
        "scoring": {
            "method": rubric.scoring.method,
            "full_threshold": rubric.scoring.full_threshold,
            # Only when not the default: rubrics that keep it keep the definition, and so the
            # content hash, they had before the key existed.
            **(
                {"min_coverage": rubric.scoring.min_coverage}
                if rubric.scoring.min_coverage != DEFAULT_MIN_COVERAGE
                else {}
            ),
            "levels": [
                {
                    "id": level.id,
                    "label": level.label,
                    "min": level.min,
                    "max": level.max,
                    "description": level.description,
                }
                for level in rubric.scoring.levels
            ],
        },
    }


def _scale(scale: Scale) -> dict[str, Any]:
    return {
        "id": scale.id,
        "label": scale.label,
        "allow_na": scale.allow_na,
        "options": [
            {"key": o.key, "label": o.label, "points": o.points, "description": o.description}
            for o in scale.options
        ],
    }


def _item(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": item.type,
        "prompt": item.prompt,
        "help": item.help,
        "stage": item.stage,
        "weight": item.weight,
        "importance": item.importance,
        "scale": item.scale,
        "dimensions": list(item.dimensions),
        "choices": [{"key": c.key, "label": c.label} for c in item.choices],
        "basis": list(item.basis),
        "guidance": list(item.guidance),
        "recommendation": item.recommendation,
        # Only when present: items without per-dimension advice keep the definition, and so the
        # content hash, they had before the key existed.
        **(
            {"recommendations": [list(pair) for pair in item.recommendations]}
            if item.recommendations
            else {}
        ),
        "show_if": _condition(item.show_if) if item.show_if else None,
        "typical_evidence": list(item.typical_evidence),
        "scored": item.scored,
        # Only when present, like ``recommendations``: rubric versions stored before the key
        # existed keep their definition and content hash.
        **({"model_language": item.model_language} if item.model_language else {}),
        # Only when present, like ``recommendations``: a definition without look_for keeps its hash.
        **({"look_for": list(item.look_for)} if item.look_for else {}),
    }


def _condition(condition: Condition) -> dict[str, Any]:
    if condition.op in ("all", "any"):
        return {"op": condition.op, "conditions": [_condition(c) for c in condition.conditions]}
    return {
        "op": condition.op,
        "item": condition.item,
        "dimension": condition.dimension,
        "values": list(condition.values),
    }


def rubric_from_definition(definition: Mapping[str, Any]) -> Rubric:
    """Rebuild the Rubric that :func:`rubric_to_definition` described.

    The input is trusted (it was written by ``rubric_to_definition``); a malformed definition
    raises ``ValueError`` rather than a bare ``KeyError``.
    """
    version = definition.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(f"unsupported rubric definition format_version {version!r}")
    try:
        return _rubric(definition)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed rubric definition: {exc!r}") from exc


def _rubric(d: Mapping[str, Any]) -> Rubric:
    scales = [_scale_from(s) for s in d["scales"]]
    return Rubric(
        id=d["id"],
        version=d["version"],
        title=d["title"],
        summary=d["summary"],
        audience=tuple(cast(Audience, a) for a in d["audience"]),
        issuer=tuple(d["issuer"]),
        status_note=d["status_note"],
        family=d["family"],
        sources=tuple(d["sources"]),
        dimensions=tuple(Dimension(x["id"], x["label"], x["description"]) for x in d["dimensions"]),
        scales={scale.id: scale for scale in scales},
        stages=tuple(Stage(x["id"], x["label"], x["description"]) for x in d["stages"]),
        sections=tuple(
            Section(
                id=s["id"],
                number=s["number"],
                title=s["title"],
                summary=s["summary"],
                items=tuple(_item_from(i, s["id"]) for i in s["items"]),
            )
            for s in d["sections"]
        ),
        scoring=Scoring(
            method="weighted_mean",
            full_threshold=float(d["scoring"]["full_threshold"]),
            min_coverage=float(d["scoring"].get("min_coverage", DEFAULT_MIN_COVERAGE)),
            levels=tuple(
                Level(x["id"], x["label"], float(x["min"]), float(x["max"]), x["description"])
                for x in d["scoring"]["levels"]
            ),
        ),
    )


def _scale_from(s: Mapping[str, Any]) -> Scale:
    return Scale(
        id=s["id"],
        label=s["label"],
        allow_na=bool(s["allow_na"]),
        options=tuple(
            ScaleOption(o["key"], o["label"], float(o["points"]), o["description"])
            for o in s["options"]
        ),
    )


def _item_from(i: Mapping[str, Any], section_id: str) -> Item:
    return Item(
        id=i["id"],
        section_id=section_id,
        type=cast(ItemType, i["type"]),
        prompt=i["prompt"],
        help=i["help"],
        stage=i["stage"],
        weight=float(i["weight"]),
        importance=cast(Importance, i["importance"]),
        scale=i["scale"],
        dimensions=tuple(i["dimensions"]),
        choices=tuple(Choice(c["key"], c["label"]) for c in i["choices"]),
        basis=tuple(i["basis"]),
        guidance=tuple(i["guidance"]),
        recommendation=i["recommendation"],
        recommendations=tuple((d, t) for d, t in i.get("recommendations", ())),
        show_if=_condition_from(i["show_if"]) if i["show_if"] is not None else None,
        typical_evidence=tuple(i["typical_evidence"]),
        scored=bool(i["scored"]),
        model_language=i.get("model_language", ""),
        # Definitions stored before look_for existed have none.
        look_for=tuple(i.get("look_for", ())),
    )


def _condition_from(c: Mapping[str, Any]) -> Condition:
    if c["op"] in ("all", "any"):
        return Condition(op=c["op"], conditions=tuple(_condition_from(x) for x in c["conditions"]))
    return Condition(
        op=c["op"], item=c["item"], dimension=c["dimension"], values=tuple(c["values"])
    )


def canonical_json(definition: Mapping[str, Any]) -> bytes:
    """The canonical UTF-8 JSON of a definition: sorted keys, compact, non-ASCII kept as is."""
    text = json.dumps(
        definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def definition_hash(definition: Mapping[str, Any]) -> str:
    """sha256 hex digest of the canonical JSON; equal content gives an equal hash."""
    return hashlib.sha256(canonical_json(definition)).hexdigest()
