"""How the pages about one assessment address their reader: ``Voice``.

A member of the organization that owns the assessment is addressed as its own ("Where you
stand", "What your organization will do", what to do next). A reader from another organization
it was shared with (a partner, a state advocate) reads the same pages about someone else's work:
they name that organization instead of saying "your", and offer none of the next steps meant
for the owner (take it to your board, share it, plan actions). The wording lives here, once, so
the task list, the report page and the action plan say it alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Voice:
    """The wording for a reader who belongs to the owning organization (``member``) or not."""

    member: bool
    #: The owning organization's name.
    org_name: str

    @property
    def whose(self) -> str:
        """Who does the work: "your organization", or the owning organization's name."""
        return "your organization" if self.member else self.org_name

    @property
    def standing_heading(self) -> str:
        """The report's first heading."""
        return "Where you stand" if self.member else f"Where {self.org_name} stands"

    @property
    def level_tag(self) -> str:
        """The tag beside the level the assessment reached, in the list of levels."""
        return "Your overall level" if self.member else "Overall level of this assessment"

    @property
    def too_few_answers(self) -> str:
        """What the report says instead of a level when too few items are answered."""
        if self.member:
            return "Answer more of the questionnaire to see a level."
        return "A level shows once more of the questionnaire is answered."

    @property
    def nothing_rated(self) -> str:
        """What the report says instead of a level when nothing is rated."""
        if self.member:
            return "Rate at least one item to see a level."
        return "A level shows once at least one item is rated."

    @property
    def nothing_to_prioritise(self) -> str:
        """What "Start here" says when nothing is rated."""
        first = "Nothing is rated yet, so there is nothing to prioritise."
        return f"{first} Answer the questionnaire first." if self.member else first

    @property
    def plan_lead(self) -> str:
        """The action plan's opening line (followed by the assessment's title)."""
        return f"What {self.whose} will do to close the gaps found in"
