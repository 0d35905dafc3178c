"""`flask frameworks validate` on the shipped folder, a broken copy and single files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

ROOT = Path(__file__).resolve().parents[2]
REPO_FRAMEWORKS = ROOT / "frameworks"
BROKEN = "wa-rcw-28a-320-124.yaml"


def test_the_shipped_frameworks_are_valid(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["frameworks", "validate"])
    assert result.exit_code == 0, result.output
    assert "All framework files are valid" in result.output


def test_a_single_crosswalk_file_is_checked_as_a_crosswalk(runner: FlaskCliRunner) -> None:
    path = REPO_FRAMEWORKS / "crosswalks" / "afterschool-to-local-implementation.yaml"
    result = runner.invoke(args=["frameworks", "validate", str(path)])
    assert result.exit_code == 0, result.output


class TestBrokenFolder:
    """A copy of the folder with one framework broken twice."""

    @pytest.fixture
    def app_config(self, tmp_path: Path) -> dict[str, Any]:
        folder = tmp_path / "frameworks"
        shutil.copytree(REPO_FRAMEWORKS, folder)
        path = folder / BROKEN
        text = path.read_text(encoding="utf-8")
        text = text.replace("- item: mou-no-discipline-role", "- item: mou-no-such-item", 1)
        text = text.replace('    citation: "RCW 28A.320.124(1)(b)"\n', "", 1)
        path.write_text(text, encoding="utf-8")
        return {"FRAMEWORKS_DIR": str(folder)}

    def test_a_broken_framework_is_reported_located_and_coded(
        self, runner: FlaskCliRunner, app_config: dict[str, Any]
    ) -> None:
        result = runner.invoke(args=["frameworks", "validate"])
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        lines = (
            (Path(app_config["FRAMEWORKS_DIR"]) / BROKEN).read_text(encoding="utf-8").splitlines()
        )
        item_line = next(n for n, line in enumerate(lines, 1) if "mou-no-such-item" in line)
        assert (
            f"{BROKEN}:{item_line}: requirements[0].rules[0].items[0].item: "
            "no item 'mou-no-such-item'" in result.output
        )
        assert "[unknown-item]" in result.output
        assert "requirements[1].citation: 'citation' is required [missing-key]" in result.output
        assert "2 errors in 1 file" in result.output
        assert "are valid" not in result.output
