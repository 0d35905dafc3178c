"""The notice owners see on rubric pages when a file in the rubrics folder did not load.

Members who are not owners see the rubrics that loaded and nothing else: the notice is for the
people who can ask the site's administrator to fix the file.
"""

from __future__ import annotations

from rubric_app.auth_session import current_role
from rubric_app.catalog_state import BrokenFile, broken_files


def broken_files_notice() -> list[BrokenFile]:
    """The files that did not load, when the signed-in user owns their organization; else []."""
    broken = broken_files()
    if not broken or current_role() != "owner":
        return []
    return broken
