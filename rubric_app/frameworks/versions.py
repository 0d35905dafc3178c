"""Which item of one rubric version is which item of another: identical ids, then crosswalks.

A version bump keeps most item ids; a renamed or split item is paired in a version crosswalk
(``frameworks/crosswalks/``, both sides naming the same rubric). ``item_aliases`` gives, for
one version, the id each of its items has in another version, so trends and period-over-period
comparisons line the items up. Pure: the caller hands in the crosswalks it loaded.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Crosswalk

__all__ = ["item_aliases"]


def item_aliases(
    crosswalks: Iterable[Crosswalk], rubric_id: str, version: str, into_version: str
) -> dict[str, str]:
    """Item id in ``version`` -> its id in ``into_version``, for the items a crosswalk renames.

    Items not listed keep their id (identical ids match by default). A crosswalk written the
    other way round (``into_version`` to ``version``) is read backwards. Only direct crosswalks
    count: a chain through a third version is not followed.
    """
    aliases: dict[str, str] = {}
    for crosswalk in crosswalks:
        if not crosswalk.between_versions or crosswalk.source.rubric != rubric_id:
            continue
        sides = (crosswalk.source.version, crosswalk.target.version)
        if sides == (version, into_version):
            pairs = ((pair.source, pair.target) for pair in crosswalk.pairs)
        elif sides == (into_version, version):
            pairs = ((pair.target, pair.source) for pair in crosswalk.pairs)
        else:
            continue
        aliases.update((old, new) for old, new in pairs if old != new)
    return aliases
