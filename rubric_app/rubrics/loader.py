"""The one way YAML becomes a Rubric or a ResourceLibrary: read -> normalise -> validate -> build.

* read (``files``, then ``yaml_nodes``): only a regular file of at most 1 MiB is opened (checked
  with ``stat`` first), then safe, line-aware YAML into plain values and a line per key path,
  numbers range-checked;
* normalise (``rubric_reader`` / ``resource_reader`` over ``fields``): check shapes and types,
  fill defaults, build model objects;
* validate (the readers and ``checks``): cross-references such as scales, stages, resources and
  show_if, level bands, SECURe sections;
* build: the frozen :class:`~rubric_app.rubrics.model.Rubric`, only when there were no errors.

Every problem of a file is collected and raised together as one ``RubricLoadError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import RubricError, RubricLoadError
from .files import read_source
from .model import ResourceLibrary, Rubric
from .resource_reader import ResourceReader
from .rubric_reader import RubricReader
from .yaml_nodes import Document, read_document


@dataclass(frozen=True)
class LoadedRubric:
    """A rubric together with the document it came from (for the line of its keys)."""

    rubric: Rubric
    document: Document


def load_rubric_text(
    text: str | bytes, filename: str, resources: ResourceLibrary | None = None
) -> Rubric:
    """Load one rubric; with ``resources=None`` resource ids are not checked."""
    return parse_rubric(text, filename, resources).rubric


def load_rubric_file(path: Path, resources: ResourceLibrary | None = None) -> Rubric:
    """Load the rubric file at ``path`` (a regular file, checked before it is read)."""
    return load_rubric_text(read_source(path), str(path), resources)


def load_resources_text(text: str | bytes, filename: str) -> ResourceLibrary:
    """Load the guidance library (``resources.yaml``)."""
    document = read_document(text, filename)
    library = ResourceReader(document).read() if document.value is not None else None
    if document.value is None and not document.errors:
        document.error("not-mapping", "", "the file is empty; expected 'resources:'")
    if document.errors or library is None:
        raise RubricLoadError(_in_line_order(document))
    return library


def load_resources_file(path: Path) -> ResourceLibrary:
    """Load the library file at ``path`` (a regular file, checked before it is read)."""
    return load_resources_text(read_source(path), str(path))


def parse_rubric(
    text: str | bytes, filename: str, resources: ResourceLibrary | None = None
) -> LoadedRubric:
    """Like :func:`load_rubric_text`, also returning the document (the catalog uses its lines)."""
    document = read_document(text, filename)
    rubric = None
    if document.value is not None:
        rubric = RubricReader(document, resources).read()
    elif not document.errors:
        document.error("not-mapping", "", "the file is empty; expected a rubric mapping")
    if document.errors or rubric is None:
        raise RubricLoadError(_in_line_order(document))
    return LoadedRubric(rubric, document)


def _in_line_order(document: Document) -> list[RubricError]:
    # Errors are found definitions-first; authors read them top to bottom.
    return sorted(document.errors, key=lambda error: error.line or 0)
