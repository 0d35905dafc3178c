"""Rules that span several parts of a rubric: show_if references, scales, levels, SECURe sections.

These are the *validate* step of the loader pipeline for everything a single getter cannot see.
Each check records coded errors through the loader's :class:`~.fields.Fields` and never raises.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .fields import Fields
from .model import SECURE_STEP_IDS, Condition, Item, Level, Scale, ScaleOption, Section
from .yaml_nodes import join_index, join_key

#: Adjacent level bands such as max 39.99 then min 40 are contiguous; a bigger step is a hole.
LEVEL_STEP = 0.01
_LEAF_OPS = ("equals", "not_equals", "in")
_GROUP_OPS = ("all", "any")


@dataclass(frozen=True)
class PlacedCondition:
    """A leaf condition with the item that owns it and the key path it was written at."""

    owner: str
    path: str
    condition: Condition


def read_condition(
    fields: Fields, value: Any, path: str, owner: str, leaves: list[PlacedCondition]
) -> Condition | None:
    """Normalise a ``show_if`` value; every leaf is appended to ``leaves`` for check_show_if."""
    m = fields.mapping(value, path, "a condition: {item, equals} or {all: [...]}")
    if m is None:
        return None
    groups = [op for op in _GROUP_OPS if op in m]
    if groups:
        fields.check_keys(m, path, groups[:1], "an all/any condition")
        if len(groups) > 1:
            fields.error(
                "bad-value", path, "use either 'all' or 'any', not both; nest them instead"
            )
        op = groups[0]
        children = [
            read_condition(fields, child, child_path, owner, leaves)
            for child_path, child in fields.elements(m, path, op, required=True, min_items=1)
        ]
        return Condition(op=cast(Any, op), conditions=tuple(c for c in children if c is not None))
    fields.check_keys(m, path, ("item", "dimension", *_LEAF_OPS), "a condition")
    ops = [op for op in _LEAF_OPS if op in m]
    if not ops:
        fields.error("missing-key", path, "a condition needs one of: equals, not_equals, in")
        return None
    if len(ops) > 1:
        fields.error(
            "bad-value", path, f"use only one of equals, not_equals, in (found {', '.join(ops)})"
        )
    op = ops[0]
    if op == "in":
        values = fields.text_list(m, path, "in", required=True, min_items=1)
    else:
        values = (fields.text_value(m[op], join_key(path, op)),)
    condition = Condition(
        op=cast(Any, op),
        item=fields.slug(m, path, "item"),
        dimension=fields.slug(m, path, "dimension", required=False) or None,
        values=values,
    )
    leaves.append(PlacedCondition(owner, path, condition))
    return condition


def _allowed_values(item: Item, scales: Mapping[str, Scale]) -> tuple[str, ...] | None:
    """The answers an item can hold, or None when any text is possible (numbers, text, dates)."""
    if item.type == "yes_no":
        return ("yes", "no")
    if item.type == "multi_select":
        return tuple(choice.key for choice in item.choices)
    if item.type == "scale" and item.scale is not None and item.scale in scales:
        return tuple(option.key for option in scales[item.scale].options)
    return None


def check_show_if(
    fields: Fields,
    items: Sequence[Item],
    leaves: Sequence[PlacedCondition],
    scales: Mapping[str, Scale],
) -> None:
    """Conditions may only read earlier items, on their dimensions, with answers they can hold."""
    position: dict[str, int] = {}
    for index, item in enumerate(items):
        position.setdefault(item.id, index)
    for leaf in leaves:
        ref = leaf.condition.item
        item_path = join_key(leaf.path, "item")
        if not ref or leaf.owner not in position:
            continue
        if ref not in position:
            fields.error("show-if-unknown-item", item_path, f"no item '{ref}' in this rubric")
            continue
        if position[ref] >= position[leaf.owner]:
            where = "itself" if ref == leaf.owner else f"'{ref}', which comes later"
            fields.error(
                "show-if-later-item",
                item_path,
                f"item '{leaf.owner}' refers to {where}; show_if may only use items above it",
            )
            continue
        target = items[position[ref]]
        _check_dimension(fields, leaf, target)
        allowed = _allowed_values(target, scales)
        if allowed is None:
            continue
        op_path = join_key(leaf.path, leaf.condition.op)
        for index, value in enumerate(leaf.condition.values):
            if value and value not in allowed:
                path = join_index(op_path, index) if leaf.condition.op == "in" else op_path
                fields.error(
                    "bad-value",
                    path,
                    f"'{value}' is not an answer of item '{ref}' ({', '.join(allowed)})",
                )


def _check_dimension(fields: Fields, leaf: PlacedCondition, target: Item) -> None:
    dimension = leaf.condition.dimension
    if dimension is not None and dimension not in target.dimensions:
        rated = ", ".join(target.dimensions) or "none: it stores a single answer"
        fields.error(
            "unknown-dimension",
            join_key(leaf.path, "dimension"),
            f"item '{target.id}' is not rated on '{dimension}' (its dimensions: {rated})",
        )
    elif dimension is None and len(target.dimensions) > 1:
        # With several ratings the condition would be ambiguous; make the author say which.
        fields.error(
            "missing-key",
            join_key(leaf.path, "dimension"),
            f"item '{target.id}' is rated on {', '.join(target.dimensions)}: name the dimension",
        )


def check_scale_options(
    fields: Fields, path: str, options: Sequence[tuple[str, ScaleOption]]
) -> None:
    if len(options) < 2:
        fields.error(
            "scale-options", path, f"a scale needs at least 2 options, found {len(options)}"
        )
    seen: dict[float, str] = {}
    for option_path, option in options:
        if option.points in seen:
            fields.error(
                "scale-options",
                join_key(option_path, "points"),
                f"option '{option.key}' is worth {option.points:g} points, "
                f"like '{seen[option.points]}': each option needs distinct points",
            )
        seen.setdefault(option.points, option.key)


def check_levels(fields: Fields, levels: Sequence[tuple[str, Level]]) -> None:
    """Levels must cover 0-100 lowest first, without holes (> 0.01) or overlaps."""
    for path, level in levels:
        if not 0 <= level.min <= level.max <= 100:
            fields.error(
                "levels-range",
                path,
                f"level '{level.id}' spans {level.min:g}-{level.max:g}; "
                "bands must lie within 0-100 with min <= max",
            )
    first_path, first = levels[0]
    if first.min > 0:
        fields.error(
            "levels-gap",
            join_key(first_path, "min"),
            f"the first level must start at 0, not {first.min:g}",
        )
    last_path, last = levels[-1]
    if last.max < 100:
        fields.error(
            "levels-gap",
            join_key(last_path, "max"),
            f"the last level must end at 100, not {last.max:g}",
        )
    for (_, before), (path, after) in itertools.pairwise(levels):
        # Round the step: 40 - 39.99 is 0.010000000000001563 in floating point.
        step = round(after.min - before.max, 6)
        if step <= 0:
            fields.error(
                "levels-overlap",
                join_key(path, "min"),
                f"level '{after.id}' starts at {after.min:g}, not after '{before.id}' ends at "
                f"{before.max:g}; list levels lowest first without overlaps",
            )
        elif step > LEVEL_STEP:
            fields.error(
                "levels-gap",
                join_key(path, "min"),
                f"scores between {before.max:g} and {after.min:g} fall in no level",
            )


def check_secure_sections(
    fields: Fields, root: dict[str, Any], sections: Sequence[Section]
) -> None:
    ids = tuple(section.id for section in sections)
    if ids != SECURE_STEP_IDS and isinstance(root.get("sections"), list):
        fields.error(
            "secure-sections",
            "sections",
            "a rubric with family: secure must have exactly these sections, in order: "
            f"{', '.join(SECURE_STEP_IDS)} (found {', '.join(ids) or 'none'})",
        )
