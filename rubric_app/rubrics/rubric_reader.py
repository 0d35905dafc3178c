"""Normalises one rubric document into a Rubric, checking references as it goes.

Part of the loader pipeline (see ``loader.py``): every key's type and default, ids, and the
cross-references a single item can check (scales, stages, dimensions, resources); ``checks``
holds the rules that span the whole rubric. Errors are collected on the document, never raised.

Why it is long: every key of the rubric format is normalised in one pass, beside the error each key
can raise.
"""

from __future__ import annotations

import re
from typing import Any, cast

from . import checks
from .fields import Fields
from .model import (
    AUDIENCES,
    DEFAULT_MIN_COVERAGE,
    ITEM_TYPES,
    Audience,
    Choice,
    Dimension,
    Importance,
    Item,
    ItemType,
    Level,
    ResourceLibrary,
    Rubric,
    Scale,
    ScaleOption,
    Scoring,
    Section,
    Stage,
)
from .model_language import read_model_language
from .yaml_nodes import Document, join_key

RUBRIC_KEYS = (
    "id", "version", "title", "summary", "audience", "issuer", "status_note", "family",
    "sources", "dimensions", "scales", "stages", "sections", "scoring",
)  # fmt: skip
ITEM_KEYS = (
    "id", "type", "prompt", "help", "stage", "weight", "importance", "scale", "dimensions",
    "choices", "basis", "guidance", "recommendation", "recommendations", "typical_evidence",
    "show_if", "scored", "model_language", "look_for",
)  # fmt: skip
MAX_WEIGHT = 10.0
#: ``look_for`` limits: enough for a topic's vocabulary, short enough to stay phrases.
LOOK_FOR_MAX_ENTRIES = 30
LOOK_FOR_MAX_CHARS = 60
LOOK_FOR_MAX_WORDS = 6
_LOOK_FOR_WORD = re.compile(r"[A-Za-z0-9]")
_VERSION_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}")


class RubricReader(Fields):
    """Normalises one rubric document; checks references as soon as their targets are known."""

    def __init__(self, document: Document, resources: ResourceLibrary | None) -> None:
        super().__init__(document)
        self.resources = resources
        self.dimension_ids: tuple[str, ...] = ()
        self.scales: dict[str, Scale] = {}
        self.stage_ids: tuple[str, ...] = ()
        self.item_paths: dict[str, str] = {}
        self.conditions: list[checks.PlacedCondition] = []

    def read(self) -> Rubric | None:
        root = self.document.value
        if not isinstance(root, dict):
            self.error(
                "not-mapping", "", "the top of a rubric file must be a mapping (id: ..., ...)"
            )
            return None
        self.check_keys(root, "", RUBRIC_KEYS, "the rubric")
        # Definitions first, whatever their order in the file, so items can be checked against them.
        dimensions = self._dimensions(root)
        self.dimension_ids = tuple(d.id for d in dimensions)
        self.scales = self._scales(root)
        stages = self._stages(root)
        self.stage_ids = tuple(s.id for s in stages)
        family = self.slug(root, "", "family", required=False) or None
        sections = self._sections(root)
        if family == "secure":
            checks.check_secure_sections(self, root, sections)
        items = [item for section in sections for item in section.items]
        checks.check_show_if(self, items, self.conditions, self.scales)
        return Rubric(
            id=self.slug(root, "", "id"),
            version=self._version(root),
            title=self.text(root, "", "title", required=True),
            summary=self.text(root, "", "summary", required=True),
            audience=tuple(
                cast(Audience, a)
                for _, a in self.slug_list(
                    root, "", "audience", required=True, min_items=1, allowed=AUDIENCES
                )
            ),
            issuer=self.text_list(root, "", "issuer", required=True, min_items=1),
            status_note=self.text(root, "", "status_note", required=True),
            family=family,
            sources=self._resource_ids(root, "", "sources"),
            dimensions=dimensions,
            scales=self.scales,
            stages=stages,
            sections=sections,
            scoring=self._scoring(root),
        )

    def _version(self, root: dict[str, Any]) -> str:
        version = self.text(root, "", "version", required=True)
        if version and not _VERSION_RE.fullmatch(version):
            self.error(
                "bad-value", "version", "use letters, digits, '.', '_' or '-' (e.g. \"2016.1\")"
            )
        return version

    def _resource_ids(
        self, m: dict[str, Any], path: str, key: str, *, required: bool = False
    ) -> tuple[str, ...]:
        ids = self.slug_list(m, path, key, required=required, min_items=1 if required else 0)
        if self.resources is not None:
            for id_path, resource_id in ids:
                if resource_id and resource_id not in self.resources:
                    self.error(
                        "unknown-resource",
                        id_path,
                        f"no resource '{resource_id}' in resources.yaml",
                    )
        return tuple(resource_id for _, resource_id in ids)

    def _dimensions(self, root: dict[str, Any]) -> tuple[Dimension, ...]:
        seen: dict[str, str] = {}
        result = []
        for path, value in self.elements(root, "", "dimensions", required=True, min_items=1):
            m = self.mapping(value, path, "a dimension")
            if m is None:
                continue
            self.check_keys(m, path, ("id", "label", "description"), "a dimension")
            dimension = Dimension(
                id=self.slug(m, path, "id"),
                label=self.text(m, path, "label", required=True),
                description=self.text(m, path, "description", required=False),
            )
            self.unique(seen, dimension.id, join_key(path, "id"), "dimension")
            result.append(dimension)
        return tuple(result)

    def _stages(self, root: dict[str, Any]) -> tuple[Stage, ...]:
        seen: dict[str, str] = {}
        result = []
        for path, value in self.elements(root, "", "stages", required=False, min_items=1):
            m = self.mapping(value, path, "a stage")
            if m is None:
                continue
            self.check_keys(m, path, ("id", "label", "description"), "a stage")
            stage = Stage(
                id=self.slug(m, path, "id"),
                label=self.text(m, path, "label", required=True),
                description=self.text(m, path, "description", required=False),
            )
            self.unique(seen, stage.id, join_key(path, "id"), "stage")
            result.append(stage)
        return tuple(result)

    def _scales(self, root: dict[str, Any]) -> dict[str, Scale]:
        seen: dict[str, str] = {}
        result: dict[str, Scale] = {}
        for path, value in self.elements(root, "", "scales", required=False):
            m = self.mapping(value, path, "a scale")
            if m is None:
                continue
            self.check_keys(m, path, ("id", "label", "allow_na", "options"), "a scale")
            scale = Scale(
                id=self.slug(m, path, "id"),
                label=self.text(m, path, "label", required=True),
                options=self._options(m, path),
                allow_na=self.flag(m, path, "allow_na", default=True),
            )
            self.unique(seen, scale.id, join_key(path, "id"), "scale")
            result.setdefault(scale.id, scale)
        return result

    def _options(self, scale: dict[str, Any], path: str) -> tuple[ScaleOption, ...]:
        seen: dict[str, str] = {}
        options: list[tuple[str, ScaleOption]] = []
        for option_path, value in self.elements(scale, path, "options", required=True):
            m = self.mapping(value, option_path, "a scale option")
            if m is None:
                continue
            self.check_keys(m, option_path, ("key", "label", "points", "description"), "an option")
            option = ScaleOption(
                key=self.slug(m, option_path, "key"),
                label=self.text(m, option_path, "label", required=True),
                points=self.number(m, option_path, "points"),
                description=self.text(m, option_path, "description", required=False),
            )
            self.unique(seen, option.key, join_key(option_path, "key"), "option")
            options.append((option_path, option))
        if "options" in scale:
            checks.check_scale_options(self, join_key(path, "options"), options)
        return tuple(option for _, option in options)

    def _sections(self, root: dict[str, Any]) -> tuple[Section, ...]:
        seen: dict[str, str] = {}
        sections: list[Section] = []
        for path, value in self.elements(root, "", "sections", required=True, min_items=1):
            m = self.mapping(value, path, "a section")
            if m is None:
                continue
            self.check_keys(m, path, ("id", "title", "summary", "items"), "a section")
            section_id = self.slug(m, path, "id")
            self.unique(seen, section_id, join_key(path, "id"), "section")
            items = []
            for item_path, item_value in self.elements(
                m, path, "items", required=True, min_items=1
            ):
                item = self._item(item_value, item_path, section_id)
                if item is not None:
                    items.append(item)
            sections.append(
                Section(
                    id=section_id,
                    number=len(sections) + 1,
                    title=self.text(m, path, "title", required=True),
                    summary=self.text(m, path, "summary", required=False),
                    items=tuple(items),
                )
            )
        return tuple(sections)

    def _item(self, value: Any, path: str, section_id: str) -> Item | None:
        m = self.mapping(value, path, "an item")
        if m is None:
            return None
        self.check_keys(m, path, ITEM_KEYS, "an item")
        item_id = self.slug(m, path, "id")
        self.unique(self.item_paths, item_id, join_key(path, "id"), "item")
        item_type = cast(ItemType, self.choice(m, path, "type", ITEM_TYPES, default="scale"))
        if item_type not in ITEM_TYPES:
            # Already reported; guess from the keys so type-dependent checks do not pile on.
            item_type = "scale" if "scale" in m else "short_text"
        is_scale = item_type == "scale"
        weight = self.number(m, path, "weight", default=1.0)
        if not 0 < weight <= MAX_WEIGHT:
            self.error(
                "weight-out-of-range",
                join_key(path, "weight"),
                f"weight {weight:g} must be greater than 0 and at most {MAX_WEIGHT:g}",
            )
        scored = self.flag(m, path, "scored", default=is_scale)
        if scored and not is_scale:
            self.error("bad-value", join_key(path, "scored"), "only scale items can be scored")
        dimensions = self._item_dimensions(m, path, is_scale)
        show_if = None
        if "show_if" in m:
            show_if = checks.read_condition(
                self, m["show_if"], join_key(path, "show_if"), item_id, self.conditions
            )
        return Item(
            id=item_id,
            section_id=section_id,
            type=item_type,
            prompt=self.text(m, path, "prompt", required=True),
            help=self.text(m, path, "help", required=False),
            stage=self._item_stage(m, path),
            weight=weight,
            importance=cast(
                Importance,
                self.choice(
                    m, path, "importance", ("essential", "recommended"), default="recommended"
                ),
            ),
            scale=self._item_scale(m, path, is_scale),
            dimensions=dimensions,
            choices=self._item_choices(m, path, item_type),
            basis=self._resource_ids(m, path, "basis", required=True),
            guidance=self._resource_ids(m, path, "guidance"),
            recommendation=self.text(m, path, "recommendation", required=False),
            recommendations=self._item_recommendations(m, path, dimensions, scored),
            show_if=show_if,
            typical_evidence=self.text_list(m, path, "typical_evidence"),
            scored=scored,
            model_language=read_model_language(self, m, path, scored=scored),
            look_for=self._look_for(m, path),
        )

    def _look_for(self, m: dict[str, Any], path: str) -> tuple[str, ...]:
        """Distinct, non-empty phrases of a few words (compared ignoring case and spacing)."""
        key_path = join_key(path, "look_for")
        entries = list(self.elements(m, path, "look_for", required=False, min_items=1))
        if len(entries) > LOOK_FOR_MAX_ENTRIES:
            self.error(
                "bad-value",
                key_path,
                f"{len(entries)} entries: keep look_for to {LOOK_FOR_MAX_ENTRIES} or fewer",
            )
        seen: dict[str, str] = {}
        phrases: list[str] = []
        for entry_path, value in entries:
            phrase = " ".join(self.text_value(value, entry_path).split())
            if not phrase:
                continue  # Already reported (wrong type or empty).
            if len(phrase) > LOOK_FOR_MAX_CHARS or len(phrase.split()) > LOOK_FOR_MAX_WORDS:
                self.error(
                    "bad-value",
                    entry_path,
                    f"'{phrase[:40]}...' is too long for a search phrase: at most "
                    f"{LOOK_FOR_MAX_WORDS} words and {LOOK_FOR_MAX_CHARS} characters",
                )
                continue
            if not _LOOK_FOR_WORD.search(phrase):
                self.error(
                    "bad-value", entry_path, f"'{phrase}' has no letter or digit to look for"
                )
                continue
            folded = phrase.casefold()
            if folded in seen:
                self.error(
                    "bad-value",
                    entry_path,
                    f"'{phrase}' is already in look_for ({seen[folded]})",
                )
                continue
            seen[folded] = entry_path
            phrases.append(phrase)
        return tuple(phrases)

    def _item_stage(self, m: dict[str, Any], path: str) -> str | None:
        stage = self.slug(m, path, "stage", required=False) or None
        if stage is None and self.stage_ids:
            self.error(
                "missing-stage",
                join_key(path, "stage"),
                f"the rubric has stages, so every item needs one of: {', '.join(self.stage_ids)}",
            )
        elif stage is not None and stage not in self.stage_ids:
            known = ", ".join(self.stage_ids) or "none: the rubric defines no stages"
            self.error(
                "unknown-stage", join_key(path, "stage"), f"no stage '{stage}' (stages: {known})"
            )
        return stage

    def _item_scale(self, m: dict[str, Any], path: str, is_scale: bool) -> str | None:
        if not is_scale:
            if "scale" in m:
                self.error(
                    "bad-value", join_key(path, "scale"), "only items of type scale take a scale"
                )
            return None
        scale = self.slug(m, path, "scale")
        if scale and scale not in self.scales:
            known = ", ".join(self.scales) or "none defined"
            self.error(
                "unknown-scale", join_key(path, "scale"), f"no scale '{scale}' (scales: {known})"
            )
        return scale or None

    def _item_dimensions(self, m: dict[str, Any], path: str, is_scale: bool) -> tuple[str, ...]:
        if not is_scale:
            if "dimensions" in m:
                self.error(
                    "bad-value",
                    join_key(path, "dimensions"),
                    "only items of type scale are rated on dimensions",
                )
            return ()
        if "dimensions" not in m:
            return self.dimension_ids
        ids = self.slug_list(m, path, "dimensions", min_items=1)
        for id_path, dimension in ids:
            if dimension and dimension not in self.dimension_ids:
                known = ", ".join(self.dimension_ids)
                self.error(
                    "unknown-dimension",
                    id_path,
                    f"no dimension '{dimension}' (dimensions: {known})",
                )
        return tuple(dimension for _, dimension in ids)

    def _item_recommendations(
        self, m: dict[str, Any], path: str, dimensions: tuple[str, ...], scored: bool
    ) -> tuple[tuple[str, str], ...]:
        """Advice per dimension; a scored item rated on two or more dimensions needs all of it.

        A gap report gives the advice for the side that falls short, so one sentence for both
        sides would tell a district with a signed MOU to go and sign one.
        """
        key_path = join_key(path, "recommendations")
        # An unknown dimension in the item's own list is reported there, not once more here.
        dimensions = tuple(d for d in dimensions if d in self.dimension_ids)
        found: dict[str, str] = {}
        if "recommendations" in m:
            advice = self.mapping(m["recommendations"], key_path, "dimension id: advice")
            if advice is None:
                return ()  # Already reported; "missing" errors on top would only add noise.
            for dimension, text in advice.items():
                dimension_path = join_key(key_path, str(dimension))
                if dimension not in dimensions:
                    rated = ", ".join(dimensions) or "none: the item is not rated"
                    self.error(
                        "unknown-dimension",
                        dimension_path,
                        f"the item is not rated on '{dimension}' (its dimensions: {rated})",
                    )
                    continue
                found[dimension] = self.text_value(text, dimension_path)
        if scored and len(dimensions) > 1:
            for dimension in dimensions:
                if dimension not in found:
                    self.error(
                        "missing-recommendation",
                        join_key(key_path, dimension) if "recommendations" in m else key_path,
                        f"the item is rated on {', '.join(dimensions)}: add the advice for "
                        f"'{dimension}' under recommendations",
                    )
        # In the item's dimension order, whatever the order in the file.
        return tuple((d, found[d]) for d in dimensions if found.get(d))

    def _item_choices(self, m: dict[str, Any], path: str, item_type: str) -> tuple[Choice, ...]:
        if item_type != "multi_select":
            if "choices" in m:
                self.error(
                    "bad-value", join_key(path, "choices"), "only multi_select items take choices"
                )
            return ()
        seen: dict[str, str] = {}
        choices = []
        for choice_path, value in self.elements(m, path, "choices", required=True, min_items=2):
            c = self.mapping(value, choice_path, "a choice")
            if c is None:
                continue
            self.check_keys(c, choice_path, ("key", "label"), "a choice")
            choice = Choice(
                self.slug(c, choice_path, "key"), self.text(c, choice_path, "label", required=True)
            )
            self.unique(seen, choice.key, join_key(choice_path, "key"), "choice")
            choices.append(choice)
        return tuple(choices)

    def _scoring(self, root: dict[str, Any]) -> Scoring:
        m = (
            self.mapping(root.get("scoring", {}), "scoring", "scoring")
            if "scoring" in root
            else None
        )
        if m is None:
            if "scoring" not in root:
                self.error("missing-key", "scoring", "'scoring' is required (at least its levels)")
            return Scoring(method="weighted_mean", levels=())
        self.check_keys(
            m, "scoring", ("method", "full_threshold", "min_coverage", "levels"), "scoring"
        )
        self.choice(m, "scoring", "method", ("weighted_mean",), default="weighted_mean")
        threshold = self.number(m, "scoring", "full_threshold", default=1.0)
        if not 0 < threshold <= 1:
            self.error(
                "bad-value", "scoring.full_threshold", "must be greater than 0 and at most 1"
            )
        min_coverage = self.number(m, "scoring", "min_coverage", default=DEFAULT_MIN_COVERAGE)
        if not 0 <= min_coverage <= 1:
            self.error("bad-value", "scoring.min_coverage", "must be between 0 and 1")
        seen: dict[str, str] = {}
        levels: list[tuple[str, Level]] = []
        for path, value in self.elements(m, "scoring", "levels", required=True, min_items=1):
            lm = self.mapping(value, path, "a level")
            if lm is None:
                continue
            self.check_keys(lm, path, ("id", "label", "min", "max", "description"), "a level")
            level = Level(
                id=self.slug(lm, path, "id"),
                label=self.text(lm, path, "label", required=True),
                min=self.number(lm, path, "min"),
                max=self.number(lm, path, "max"),
                description=self.text(lm, path, "description", required=False),
            )
            self.unique(seen, level.id, join_key(path, "id"), "level")
            levels.append((path, level))
        if levels:
            checks.check_levels(self, levels)
        return Scoring(
            method="weighted_mean",
            levels=tuple(level for _, level in levels),
            full_threshold=threshold,
            min_coverage=min_coverage,
        )
