"""Helpers for the end-to-end journeys: numbered step screenshots, answering a section page
the way a person would, and reading a downloaded PDF back.

The fixtures themselves (``live_server``, ``page``, ``screenshot``, ``signin_page``) come from
``tests/browser/conftest.py``; the screenshot folder is ``$SCREENSHOT_DIR``, which
``make test`` names after the run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Names the radio groups of visible items that have no choice yet, in page order.
UNANSWERED_GROUPS_JS = """
() => {
  const names = [];
  for (const radio of document.querySelectorAll('#section-form input[type=radio]')) {
    const item = radio.closest('[data-item]');
    if (!item || item.hidden || item.offsetParent === null) continue;
    if (names.includes(radio.name)) continue;
    const group = document.getElementsByName(radio.name);
    if (![...group].some((other) => other.checked)) names.push(radio.name);
  }
  return names;
}
"""


class Steps:
    """Numbered screenshots of one journey: ``steps("signed up", page)`` -> 01-<journey>-...png."""

    def __init__(self, journey: str, screenshot: Callable[[Any, str], Path]) -> None:
        self.journey = journey
        self.screenshot = screenshot
        self.count = 0
        self.paths: list[Path] = []

    def __call__(self, label: str, page: Any) -> Path:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        path = self.screenshot(page, f"{self.journey}-{self.count:02d}-{slug}")
        self.paths.append(path)
        return path


def answer_visible_items(page: Any, pick: Callable[[str, int], int]) -> int:
    """Click an option in every visible, unanswered radio group until none is left (answers
    may reveal further items); ``pick(group_name, option_count)`` chooses the option index.
    Returns how many groups were answered."""
    for answered in range(200):
        names = page.evaluate(UNANSWERED_GROUPS_JS)
        if not names:
            return answered
        name = names[0]
        options = page.locator(f'input[type=radio][name="{name}"]')
        options.nth(pick(name, options.count())).check()
    raise AssertionError("the section kept showing unanswered questions")


def pdf_text(path: Path) -> str:
    """The text of a PDF, through poppler's pdftotext."""
    tool = shutil.which("pdftotext")
    assert tool is not None, "pdftotext is missing (apt-get install poppler-utils)"
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout
