"""Compare across rubrics through a crosswalk: the paired items one by one, as plain data.

When two compared assessments use rubrics that a crosswalk links (the afterschool partnership
rubric and the district's local implementation rubric, say), ``crosswalk_tables`` lines up each
pair of items that ask the same thing with the pure ``frameworks.align_assessments`` and says,
dimension by dimension (written policy with written policy), whether the answers are the same,
differ, or cannot be told apart. Like the rest of compare it states differences without a
verdict: "Differs", never "worse". The page (``templates/compare/_crosswalk.html``) and the CSV
(``crosswalk_csv_rows``) render it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rubric_app.assessments import load_states, rubric_for
from rubric_app.exports.spreadsheet import Cell
from rubric_app.framework_state import current_frameworks
from rubric_app.frameworks.alignment import AlignedDimension, align_assessments
from rubric_app.frameworks.evaluate import CheckedAnswer
from rubric_app.frameworks.model import Crosswalk
from rubric_app.models import Assessment
from rubric_app.reports.labels import item_numbers
from rubric_app.reports.law_section import UNKNOWN_TEXT
from rubric_app.rubrics.answer_types import display_text
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring.answers import Answers

from .view_data import ComparisonView

__all__ = [
    "CrosswalkRow",
    "CrosswalkTable",
    "ShownComparison",
    "crosswalk_csv_rows",
    "crosswalk_tables",
]

RELATION_TEXT = {
    "same": "Same",
    "from-higher": "Differs",
    "to-higher": "Differs",
    "cannot-tell": "Cannot tell",
}


@dataclass(frozen=True)
class CrosswalkRow:
    """One dimension of one crosswalked pair: both answers in words and how they relate."""

    topic: str
    source_item: str
    source_number: str
    source_prompt: str
    target_item: str
    target_number: str
    target_prompt: str
    dimension: str
    source_answer: str
    target_answer: str
    #: "same", "differs" or "cannot-tell".
    relation: str
    relation_label: str
    #: "close" pairs ask nearly the same thing; the note says how they differ.
    close: bool
    note: str
    #: How many rows this pair has (one per dimension) on its first row, 0 on the others, so the
    #: page names the items once.
    span: int = 1


@dataclass(frozen=True)
class CrosswalkTable:
    """Two compared columns lined up through one crosswalk."""

    crosswalk_id: str
    title: str
    source_column: int
    target_column: int
    source_name: str
    target_name: str
    rows: tuple[CrosswalkRow, ...]

    @property
    def differing(self) -> int:
        """How many rows differ."""
        return sum(1 for row in self.rows if row.relation == "differs")

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics with a differing row, in crosswalk order."""
        return tuple(dict.fromkeys(row.topic for row in self.rows if row.relation == "differs"))


@dataclass(frozen=True)
class ShownComparison:
    """Everything the compare PDF shows, so its cache key changes with any of it."""

    view: ComparisonView
    crosswalks: tuple[CrosswalkTable, ...]


def topic_label(slug: str) -> str:
    """'information-sharing' -> 'Information sharing'; no topic -> 'Other'."""
    return slug.replace("-", " ").capitalize() if slug else "Other"


def _answer(rubric: Rubric, checked: CheckedAnswer) -> str:
    if checked.reason is not None:
        return UNKNOWN_TEXT[checked.reason]
    return display_text(rubric, rubric.item(checked.item_id), checked.value)


def _dimension_label(source: Rubric, target: Rubric, aligned: AlignedDimension) -> str:
    if aligned.source.dimension != aligned.target.dimension or not aligned.source.dimension:
        return "Answer"
    # Both sides share the dimension id; the first column's rubric names it.
    labels = {dimension.id: dimension.label for dimension in source.dimensions}
    return labels.get(aligned.source.dimension, aligned.source.dimension)


def _prompt(rubric: Rubric, item_id: str) -> str:
    return rubric.item(item_id).prompt if rubric.has_item(item_id) else item_id


def _table(
    crosswalk: Crosswalk,
    view: ComparisonView,
    sides: tuple[int, int],
    rubrics: Sequence[Rubric],
    answers: Sequence[Answers],
) -> CrosswalkTable:
    left, right = sides
    source, target = rubrics[left], rubrics[right]
    source_numbers, target_numbers = item_numbers(source), item_numbers(target)
    rows = []
    for aligned_row in align_assessments(crosswalk, source, answers[left], target, answers[right]):
        pair = aligned_row.pair
        for position, aligned in enumerate(aligned_row.dimensions):
            relation = (
                "differs"
                if aligned.relation in ("from-higher", "to-higher")
                else (aligned.relation)
            )
            rows.append(
                CrosswalkRow(
                    topic=topic_label(pair.topic),
                    source_item=pair.source,
                    source_number=source_numbers.get(pair.source, ""),
                    source_prompt=_prompt(source, pair.source),
                    target_item=pair.target,
                    target_number=target_numbers.get(pair.target, ""),
                    target_prompt=_prompt(target, pair.target),
                    dimension=_dimension_label(source, target, aligned),
                    source_answer=_answer(source, aligned.source),
                    target_answer=_answer(target, aligned.target),
                    relation=relation,
                    relation_label=RELATION_TEXT[aligned.relation],
                    close=pair.match == "close",
                    note=pair.note,
                    span=len(aligned_row.dimensions) if position == 0 else 0,
                )
            )
    return CrosswalkTable(
        crosswalk_id=crosswalk.id,
        title=crosswalk.title,
        source_column=left,
        target_column=right,
        source_name=view.columns[left].name,
        target_name=view.columns[right].name,
        rows=tuple(rows),
    )


def _linked(
    crosswalks: Mapping[str, Crosswalk], rubrics: Sequence[Rubric]
) -> list[tuple[Crosswalk, tuple[int, int]]]:
    found = []
    for crosswalk in crosswalks.values():
        if crosswalk.source.rubric == crosswalk.target.rubric:
            continue  # a version crosswalk: same-rubric compare already lines items up
        for left, source in enumerate(rubrics):
            for right, target in enumerate(rubrics):
                if source.id == crosswalk.source.rubric and target.id == crosswalk.target.rubric:
                    found.append((crosswalk, (left, right)))
    return found


def crosswalk_tables(
    session: Session, assessments: Sequence[Assessment], view: ComparisonView
) -> tuple[CrosswalkTable, ...]:
    """Every pair of compared columns whose rubrics a crosswalk links, item by item.

    The caller has already checked the user may view each assessment; nothing else is read.
    """
    if view.same_rubric:
        return ()
    rubrics = [rubric_for(assessment) for assessment in assessments]
    linked = _linked(current_frameworks().crosswalks, rubrics)
    if not linked:
        return ()
    answers: list[Answers] = [
        {item_id: state.to_answer() for item_id, state in load_states(session, a).items()}
        for a in assessments
    ]
    return tuple(_table(crosswalk, view, sides, rubrics, answers) for crosswalk, sides in linked)


def crosswalk_csv_rows(
    view: ComparisonView, tables: Sequence[CrosswalkTable]
) -> Iterator[list[Cell]]:
    """CSV rows in the comparison's shape: the answers go in the two columns' note cells.

    ``row`` is "crosswalk", ``step`` the topic, ``item`` the two item ids, ``item text`` whether
    they differ and both prompts; score, difference and coverage cells stay empty (answers, not
    scores).
    """
    for table in tables:
        for row in table.rows:
            figures: list[Cell] = []
            for index, column in enumerate(view.columns):
                figures.append("")
                if not column.is_reference:
                    figures.append("")
                if index == table.source_column:
                    figures.append(row.source_answer)
                elif index == table.target_column:
                    figures.append(row.target_answer)
                else:
                    figures.append("")
                # Items answered and items that apply: figures of scores, not of one answer.
                figures.extend(("", ""))
            yield [
                "crosswalk",
                row.topic,
                row.dimension,
                f"{row.source_item} = {row.target_item}",
                f"{row.relation_label}: {row.source_prompt} / {row.target_prompt}",
                *figures,
            ]
