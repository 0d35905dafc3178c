"""The ``flask assessments export|import`` commands: move assessments between servers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from rubric_app.db import db

assessments_cli = AppGroup("assessments", help="Export and import assessments as JSON.")


@assessments_cli.command("export")
@click.argument("assessment_id", type=int)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
def export_command(assessment_id: int, output: Path | None) -> None:
    """Write assessment ASSESSMENT_ID as JSON, signed by this server (stdout unless --output)."""
    from rubric_app import audit
    from rubric_app.models import Assessment

    from .export import export_assessment

    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        click.echo(f"Error: no assessment with id {assessment_id}.", err=True)
        sys.exit(1)
    text = json.dumps(export_assessment(db.session, assessment), indent=2, ensure_ascii=False)
    if output is not None:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            # A missing folder or no permission: say so, and record no export that never was.
            click.echo(f"Error: cannot write {output}: {error.strerror or error}.", err=True)
            sys.exit(1)
    audit.record_export(
        db.session, org_id=assessment.org_id, assessment_id=assessment.id, format="json", via="cli"
    )
    db.session.commit()
    if output is None:
        click.echo(text)
    else:
        click.echo(f"Wrote assessment {assessment_id} to {output}.")


@assessments_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_id", type=int, required=True, help="Organization id to import into.")
@click.option("--period", default=None, help="Period to use instead of the file's.")
def import_command(file: Path, org_id: int, period: str | None) -> None:
    """Recreate the assessment exported in FILE in organization --org.

    Prints the signature verdict: only a file this server signed, unchanged, keeps the
    "submitted" status; any other is imported as a draft.
    """
    from rubric_app.models import Organization

    from .importer import IMPORT_MAX_BYTES, ImportProblem, import_assessment

    org = db.session.get(Organization, org_id)
    if org is None:
        click.echo(f"Error: no organization with id {org_id}.", err=True)
        sys.exit(1)
    with file.open("rb") as handle:
        raw = handle.read(IMPORT_MAX_BYTES + 1)
    try:
        result = import_assessment(db.session, raw, org=org, user=None, period=period)
    except ImportProblem as problem:
        db.session.rollback()
        for error in problem.errors:
            click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    assessment = result.assessment
    click.echo(
        f"Imported assessment {assessment.id} ({assessment.title}, {assessment.period}, "
        f"{assessment.status}) into {org.name}."
    )
    click.echo(f"Signature: {result.notice}")
