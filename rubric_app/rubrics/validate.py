"""Command-line check of rubric files: ``python -m rubric_app.rubrics.validate [PATH...]``.

Prints every error as ``file:line: path: message [code]`` and a one-line summary; exits 1 on
any error, 0 otherwise. A rubric file's resource ids are checked against ``--resources PATH``,
else the resources.yaml beside it, else ``rubrics/resources.yaml``; when none can be read that
is an error (``resources-unchecked``), never a pass. ``flask rubrics validate`` wraps
``check_paths`` and ``format_errors``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .catalog import RESOURCES_FILE, check_paths
from .errors import RubricError

DEFAULT_PATH = Path("rubrics")


def format_errors(errors: Iterable[RubricError]) -> str:
    """One error per line, then a one-line summary (also when there are no errors)."""
    errors = list(errors)
    lines = [str(error) for error in errors]
    files = len({error.file for error in errors})
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        lines.append(f"{len(errors)} {noun} in {files} file{'s' if files != 1 else ''}")
    else:
        lines.append("no errors")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rubric_app.rubrics.validate",
        description="Check rubric and resource YAML files, reporting every error at once.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help=f"rubric directories or files (default: {DEFAULT_PATH}/)",
    )
    parser.add_argument(
        "--resources",
        type=Path,
        default=None,
        help="the resources.yaml to check rubric files against (default: the one beside each "
        f"file, else {DEFAULT_PATH / RESOURCES_FILE})",
    )
    args = parser.parse_args(argv)
    paths: list[Path] = args.paths or [DEFAULT_PATH]
    errors = check_paths(paths, args.resources, default_resources=DEFAULT_PATH / RESOURCES_FILE)
    print(format_errors(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
