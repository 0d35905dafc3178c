"""The small-number rule that holds: which cells of a breakdown must be hidden, and why.

Hiding every figure that rests on fewer than ``k`` organizations (primary suppression) is not
enough on its own. Whenever the total of a breakdown is known (it is: the unfiltered view shows
it), the cells that are shown can be subtracted from it, and what is left is the hidden cells'
sum. If that sum rests on fewer than ``k`` organizations, the small group is back in view. The
same holds for two views that differ in one filter: "all locales" minus "city" is every
organization that is not a city one.

So a breakdown is protected as a whole (complementary suppression, as statistical offices do it
for tables): hide the cells under ``k``, then, while what is hidden adds up to more than zero but
fewer than ``k`` organizations, also hide the smallest cell still shown. Cells that no view can
ever select (organizations that left a profile field empty) count as hidden from the start, since
they are exactly what a subtraction would reveal.

Pure functions over counts or member sets; the roll-up queries supply them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Set
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def _protect(
    sizes: Mapping[Key, int],
    k: int,
    always_hidden: Collection[Key],
    hidden_size: Callable[[set[Key]], int],
) -> set[Key]:
    """Return the cells to hide: primary (under k), then complementary until the rest is safe."""
    if k < 1:
        raise ValueError("k must be at least 1")
    hidden = {key for key, size in sizes.items() if 0 < size < k}
    hidden |= {key for key in always_hidden if sizes.get(key, 0) > 0}
    while 0 < hidden_size(hidden) < k:
        shown = [key for key, size in sizes.items() if key not in hidden and size > 0]
        if not shown:
            break
        # The smallest cell gives the least away; ties break on the key for a stable answer.
        hidden.add(min(shown, key=lambda key: (sizes[key], repr(key))))
    return hidden


def hidden_cells(
    sizes: Mapping[Key, int], k: int, *, always_hidden: Collection[Key] = ()
) -> set[Key]:
    """Return the cells of a breakdown into disjoint groups that must not be shown.

    ``sizes`` maps each cell to the number of organizations in it; each organization is in at
    most one cell (an organization has one kind, one locale ...). Empty cells are never hidden:
    there is nobody in them to protect.
    """
    return _protect(sizes, k, always_hidden, lambda keys: sum(sizes[key] for key in keys))


def hidden_member_cells(
    members: Mapping[Key, Set[int]], k: int, *, always_hidden: Collection[Key] = ()
) -> set[Key]:
    """Return the cells to hide when one organization can be in several cells (periods).

    What the hidden cells reveal together is the organizations behind any of them, so their
    union is what must reach ``k``.
    """
    sizes = {key: len(ids) for key, ids in members.items()}

    def union_size(keys: set[Key]) -> int:
        together: set[int] = set()
        for key in keys:
            together |= members.get(key, set())
        return len(together)

    return _protect(sizes, k, always_hidden, union_size)


def difference_reveals(whole: int, part: int, k: int) -> bool:
    """Return whether ``whole - part`` organizations would be a group under ``k`` (and not 0).

    ``part`` is a figure's count in a filtered view and ``whole`` the same figure's count with
    that filter cleared: both are visible, so their difference is too.
    """
    return 0 < whole - part < k
