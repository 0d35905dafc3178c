"""Which rubric items a law or funding condition relies on, for marking and ranking gaps.

Pure groundwork for the gap report: a gap on an item that a framework's requirement maps is
"required by law", shown with the requirements behind it and ranked above gaps that only the
guidance asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .model import Framework, Requirement

__all__ = ["LawReference", "items_required_by"]


@dataclass(frozen=True)
class LawReference:
    """One requirement of one framework that maps an item."""

    framework: Framework
    requirement: Requirement

    @property
    def label(self) -> str:
        """How a gap names it: the requirement's citation and the framework's title."""
        return f"{self.requirement.citation} ({self.framework.title})"


def items_required_by(
    frameworks: Iterable[Framework], rubric_id: str
) -> Mapping[str, tuple[LawReference, ...]]:
    """Item id -> the requirements that map it in ``rubric_id``, in framework order.

    Items no requirement maps are absent.
    """
    found: dict[str, list[LawReference]] = {}
    for framework in frameworks:
        for requirement in framework.requirements:
            rule = requirement.rule_for(rubric_id)
            if rule is None:
                continue
            for item_id in dict.fromkeys(check.item for check in rule.checks):
                found.setdefault(item_id, []).append(LawReference(framework, requirement))
    return MappingProxyType({item_id: tuple(refs) for item_id, refs in found.items()})
