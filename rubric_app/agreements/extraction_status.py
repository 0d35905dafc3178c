"""What the agreement pages say about whether a document has been read into clauses yet.

One wording per extraction state (the list's "Clauses" column and the document page's status
block use it), and the plain data the document page's status block shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from rubric_app.models import AgreementDocument

#: How each extraction state is shown where a clause count would be.
EXTRACTION_LABELS: dict[str, str] = {
    "pending": "Being read",
    "running": "Being read",
    "done": "Read",
    "failed": "Could not be read",
}


@dataclass(frozen=True)
class ExtractionStatus:
    """A document's extraction as its page shows it."""

    state: str
    label: str
    #: Why reading failed (for the uploader), else "".
    message: str
    #: Still waiting or being read: the page refreshes itself.
    active: bool
    #: Seconds between refreshes, 0 when the user switched refreshing off.
    refresh: int


def extraction_status(document: AgreementDocument, *, refresh: int) -> ExtractionStatus:
    """Return the status block of ``document``'s page; ``refresh``: the wanted interval."""
    state = document.extraction_state
    active = state in ("pending", "running")
    return ExtractionStatus(
        state=state,
        label=EXTRACTION_LABELS.get(state, state),
        message=document.extraction_message if state == "failed" else "",
        active=active,
        refresh=refresh if active else 0,
    )
