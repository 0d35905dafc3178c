"""Checking the item references of frameworks and crosswalks against the rubrics they name.

Shared by both readers so that "every mapped item exists" means the same thing everywhere: the
rubric is known, the item is in it, the item's answers can be in place or not (a scale or yes/no
item), and any dimension named is one the item is answered on.
"""

from __future__ import annotations

from rubric_app.rubrics.fields import Fields
from rubric_app.rubrics.model import Item, Rubric

#: Item types whose answer says whether something is in place; text, numbers, dates and
#: multi-selects do not, so a rule cannot read them.
RULE_ITEM_TYPES: tuple[str, ...] = ("scale", "yes_no")


def check_item(fields: Fields, rubric: Rubric, item_id: str, path: str, where: str) -> Item | None:
    """The item ``item_id`` of ``rubric``, or None after recording an ``unknown-item`` error."""
    if not item_id:
        return None
    if rubric.has_item(item_id):
        return rubric.item(item_id)
    fields.error(
        "unknown-item",
        path,
        f"no item '{item_id}' in {where} (rubric '{rubric.id}' version {rubric.version})",
    )
    return None


def check_rule_item(fields: Fields, item: Item, path: str) -> None:
    """Record a ``bad-value`` error unless ``item`` can be in place or not."""
    if item.type not in RULE_ITEM_TYPES:
        fields.error(
            "bad-value",
            path,
            f"item '{item.id}' is a {item.type} item; a rule can only read "
            f"{' or '.join(RULE_ITEM_TYPES)} items, whose answers say whether something "
            "is in place",
        )


def check_dimensions(fields: Fields, item: Item, dimensions: tuple[tuple[str, str], ...]) -> None:
    """Record ``unknown-dimension`` for each ``(path, id)`` the item is not answered on."""
    for path, dimension in dimensions:
        if dimension and dimension not in item.answer_dimensions:
            known = ", ".join(item.answer_dimensions)
            fields.error(
                "unknown-dimension",
                path,
                f"item '{item.id}' is not rated on '{dimension}' (its dimensions: {known})",
            )
