"""Command-line interface: the `flask db|rubrics|frameworks|demo|users|orgs|assessments|jobs`
groups.

Commands call the same operations as the web pages and commit once at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from rubric_app.db import db

if TYPE_CHECKING:
    from rubric_app.models import Organization
    from rubric_app.rubrics.catalog import CatalogLoad
    from rubric_app.rubrics.model import Rubric

db_cli = AppGroup("db", help="Create and upgrade the database schema.")
rubrics_cli = AppGroup("rubrics", help="Validate, list and load rubric definitions.")
frameworks_cli = AppGroup("frameworks", help="Validate state-law frameworks and crosswalks.")
demo_cli = AppGroup("demo", help="Demo data.")
users_cli = AppGroup("users", help="Manage users.")
orgs_cli = AppGroup("orgs", help="Manage organizations.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from rubric_app.migrate import upgrade

    upgrade(current_app, revision)
    click.echo(f"Database at {revision}.")


def _rubrics_dir() -> Path:
    return Path(current_app.config["RUBRICS_DIR"])


def _read_rubrics_dir() -> CatalogLoad:
    """Read the rubrics folder now (not the catalog the app started with), errors and all."""
    from rubric_app.rubrics.catalog import read_catalog

    return read_catalog(_rubrics_dir())


def _report_broken(loaded: CatalogLoad) -> None:
    """Print every error of the folder on stderr, located, and which files were left out."""
    from rubric_app.rubrics.validate import format_errors

    click.echo(format_errors(loaded.errors), err=True)
    names = ", ".join(Path(name).name for name in loaded.broken_files())
    click.echo(f"Not loaded: {names}. Fix the errors above and run the command again.", err=True)


@rubrics_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--resources",
    "resources",
    type=click.Path(path_type=Path),
    default=None,
    help="The resources.yaml to check a rubric file's resource ids against (default: the one "
    "beside the file, else the rubrics folder's).",
)
def rubrics_validate(paths: tuple[Path, ...], resources: Path | None) -> None:
    """Check rubric files (default: the rubrics folder); exit 1 if any error."""
    from rubric_app.rubrics.catalog import RESOURCES_FILE, check_paths
    from rubric_app.rubrics.validate import format_errors

    targets = list(paths) or [_rubrics_dir()]
    errors = check_paths(targets, resources, default_resources=_rubrics_dir() / RESOURCES_FILE)
    if errors:
        click.echo(format_errors(errors), err=True)
        sys.exit(1)
    click.echo(f"All rubric files are valid ({', '.join(str(path) for path in targets)}).")


def _stored_versions() -> dict[tuple[str, str], Rubric]:
    """Every rubric version recorded in the database; empty when there is no database yet.

    A crosswalk between versions names an older version that is no longer in the rubrics
    folder but is stored with the assessments that use it.
    """
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from rubric_app.models import RubricVersion
    from rubric_app.rubric_versions import rubric_of

    try:
        stored = list(db.session.scalars(select(RubricVersion)))
    except SQLAlchemyError:
        db.session.rollback()
        click.echo(
            "No database to read stored rubric versions from; checked the folder's.", err=True
        )
        return {}
    return {(row.rubric_key, row.version): rubric_of(row) for row in stored}


@frameworks_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def frameworks_validate(paths: tuple[Path, ...]) -> None:
    """Check framework and crosswalk files (default: the frameworks folder); exit 1 if any error.

    Mapped items are checked against the rubrics folder; crosswalk sides also against the
    rubric versions stored in the database.
    """
    from rubric_app.frameworks.loader import check_paths, versions_of
    from rubric_app.rubrics.validate import format_errors

    loaded = _read_rubrics_dir()
    if loaded.errors:
        click.echo(
            "The rubrics folder has errors; items of the rubrics that did not load are "
            "reported as unknown. Run `flask rubrics validate`.",
            err=True,
        )
    rubrics = loaded.catalog.rubrics
    versions = {**_stored_versions(), **versions_of(rubrics)}
    targets = list(paths) or [Path(current_app.config["FRAMEWORKS_DIR"])]
    errors = check_paths(targets, rubrics, versions)
    if errors:
        click.echo(format_errors(errors), err=True)
        sys.exit(1)
    click.echo(f"All framework files are valid ({', '.join(str(path) for path in targets)}).")


@rubrics_cli.command("list")
def rubrics_list() -> None:
    """Print every rubric with its version, title and item counts; exit 1 if a file is broken."""
    loaded = _read_rubrics_dir()
    catalog = loaded.catalog
    click.echo(f"{'ID':40} {'VERSION':10} {'SECTIONS':>8} {'ITEMS':>6} {'RATED':>6}  TITLE")
    for rubric in catalog.rubrics.values():
        rated = sum(1 for item in rubric.items if item.scored)
        click.echo(
            f"{rubric.id:40} {rubric.version:10} {len(rubric.sections):>8} "
            f"{len(rubric.items):>6} {rated:>6}  {rubric.title}"
        )
    click.echo(f"{len(catalog.resources)} resources in the guidance library.")
    if loaded.errors:
        _report_broken(loaded)
        sys.exit(1)


@rubrics_cli.command("load")
def rubrics_load() -> None:
    """Record every rubric version in the database (idempotent); exit 1 if a file is broken.

    The rubrics that loaded are recorded even when another file is broken (a stored version
    never changes, so recording it early does no harm), unless resources.yaml is broken: then
    no rubric's resource ids could be checked and nothing is recorded.
    """
    from rubric_app.rubric_versions import VersionConflictError, record_catalog

    loaded = _read_rubrics_dir()
    if not loaded.references_checked:
        _report_broken(loaded)
        click.echo("Nothing recorded: resources.yaml must load first.", err=True)
        sys.exit(1)
    try:
        outcomes = record_catalog(db.session, loaded.catalog)
    except VersionConflictError as error:
        db.session.rollback()
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    for outcome in outcomes:
        click.echo(f"{outcome.rubric_id} {outcome.version}: {outcome.result}")
    if loaded.errors:
        _report_broken(loaded)
        sys.exit(1)


@demo_cli.command("seed")
@click.option(
    "--password",
    help="Password for every demo user (default: a random one, made once and kept in "
    "instance/demo_password, so each run prints the same).",
)
@click.option(
    "--orgs",
    "n_orgs",
    type=click.IntRange(min=1),
    default=None,
    help="Also make sure the state has N synthetic organizations sharing with its advocate "
    "(running it again adds only what is missing).",
)
@click.option("--state", default="OH", show_default=True, help="State code for --orgs.")
def demo_seed(password: str | None, n_orgs: int | None, state: str) -> None:
    """Create the demo organizations, users and assessments, and print the logins."""
    from rubric_app.catalog_state import current_catalog
    from rubric_app.demo import demo_password, seed_demo
    from rubric_app.rubric_versions import record_catalog

    record_catalog(db.session, current_catalog())
    from rubric_app.us_states import is_state_code

    state = state.strip().upper()
    if n_orgs is not None and not is_state_code(state):
        click.echo(f"Error: {state!r} is not a two-letter US state code.", err=True)
        sys.exit(1)
    logins, used_password = seed_demo(
        db.session, password or demo_password(Path(current_app.instance_path))
    )
    db.session.commit()
    click.echo("Demo logins (all share one password):")
    for login in logins:
        click.echo(f"  {login.email:42} {login.role:7} {login.organization}")
    click.echo(f"  password: {used_password}")
    if n_orgs is not None:
        from rubric_app.demo_state import seed_state, synthetic_org_count

        missing = n_orgs - synthetic_org_count(db.session, state)
        if missing <= 0:
            click.echo(f"State {state} already has {n_orgs} or more synthetic organizations.")
            return
        seeded = seed_state(db.session, missing, state)
        db.session.commit()
        click.echo(
            f"State {state}: {seeded.organizations} organizations, {seeded.assessments} "
            f"submitted assessments shared with {seeded.advocate_name}."
        )
        if seeded.owner_email:
            click.echo(f"  advocate login: {seeded.owner_email}  password: {seeded.owner_password}")
        else:
            click.echo("  Sign in as the advocate organization's existing members to see it.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "org_ref", help="Organization to join: its id or its exact name.")
@click.option(
    "--role",
    type=click.Choice(["owner", "editor", "viewer"]),
    default="owner",
    show_default=True,
    help="Role in the organization given with --org.",
)
@click.option(
    "--site-admin",
    is_flag=True,
    help="Make the user a site administrator, who approves state advocate organizations "
    "(always with two-step sign-in).",
)
@click.password_option(help="Password (asked for when not given).")
def users_create(
    email: str, name: str, org_ref: str | None, role: str, site_admin: bool, password: str
) -> None:
    """Create a user, optionally as a member of an organization or as a site administrator."""
    from rubric_app import audit
    from rubric_app.accounts.operations import AccountError, add_member, create_user
    from rubric_app.accounts.verification import mark_verified

    try:
        user = create_user(db.session, email=email, name=name, password=password)
        # An administrator typed the address on the server: it needs no mailed link.
        mark_verified(db.session, user, via="cli")
        if site_admin:
            # Only granted here, on the server: no page can make anyone a site administrator.
            user.is_site_admin = True
            audit.record(db.session, "user.site_admin", target=f"user:{user.id}", via="cli")
        if org_ref is not None:
            add_member(db.session, user=user, org=_find_org(org_ref), role=role)
    except AccountError as error:
        db.session.rollback()
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    joined = f" ({role} of organization {org_ref})" if org_ref is not None else ""
    admin = " as a site administrator" if site_admin else ""
    click.echo(f"Created user {user.id} <{user.email}>{admin}{joined}.")


@users_cli.command("reset-two-step")
@click.argument("email")
def users_reset_two_step(email: str) -> None:
    """Turn a user's two-step sign-in off (lost phone, new phone), ending their sessions.

    For a user who must use it (their organization requires it, or a site administrator), no
    page can turn it off; they set it up again on their next sign-in, on the new phone.
    """
    from rubric_app.accounts import two_step
    from rubric_app.accounts.operations import find_user
    from rubric_app.accounts.user_sessions import revoke_all
    from rubric_app.models import utcnow

    user = find_user(db.session, email)
    if user is None:
        click.echo(f"Error: no user with the address {email!r}.", err=True)
        sys.exit(1)
    if not two_step.is_enabled(user):
        click.echo(f"{user.email} does not use two-step sign-in; nothing changed.")
        return
    two_step.disable(db.session, user)
    # Whoever holds the lost phone and a session must sign in again, with the new set-up.
    revoke_all(db.session, user.id, utcnow())
    db.session.commit()
    click.echo(
        f"Two-step sign-in is off for {user.email}; their sessions are ended. If they must use "
        "it, they set it up again when they next sign in."
    )


def _find_org(reference: str) -> Organization:
    """The organization with this id, else with exactly this name (which must be unique)."""
    from sqlalchemy import select

    from rubric_app.accounts.operations import AccountError
    from rubric_app.models import Organization

    if reference.isdigit():
        org = db.session.get(Organization, int(reference))
        if org is not None:
            return org
    matches = list(db.session.scalars(select(Organization).where(Organization.name == reference)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(str(org.id) for org in matches)
        raise AccountError(
            f"Several organizations are named {reference!r} (ids {ids}); use the id."
        )
    raise AccountError(f"No organization with id or name {reference!r}. See `flask orgs list`.")


@orgs_cli.command("create")
@click.option("--name", required=True)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["district", "afterschool_program", "state_advocate", "college"]),
)
@click.option("--state", required=True, help="Two-letter US state code.")
@click.option("--nces-id", default=None, help="NCES district id (7 digits) or IPEDS id (6).")
@click.option("--enrollment-band", type=click.Choice(["under_1k", "1k_5k", "5k_25k", "over_25k"]))
@click.option("--locale", type=click.Choice(["city", "suburb", "town", "rural"]))
@click.option(
    "--sro-model",
    type=click.Choice(
        ["none", "district_police", "local_police", "sheriff", "contracted", "mixed"]
    ),
)
def orgs_create(
    name: str,
    kind: str,
    state: str,
    nces_id: str | None,
    enrollment_band: str | None,
    locale: str | None,
    sro_model: str | None,
) -> None:
    """Create an organization."""
    from rubric_app.accounts.operations import AccountError, create_organization

    try:
        org = create_organization(
            db.session,
            name=name,
            kind=kind,
            state=state,
            nces_id=nces_id,
            enrollment_band=enrollment_band,
            locale=locale,
            sro_model=sro_model,
        )
    except AccountError as error:
        db.session.rollback()
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Created organization {org.id}: {org.name} ({org.kind}, {org.state}).")


@orgs_cli.command("verify")
@click.argument("reference")
def orgs_verify(reference: str) -> None:
    """Verify organization REFERENCE (its id or exact name), as a site administrator would."""
    from rubric_app.accounts.operations import AccountError
    from rubric_app.accounts.vetting import verify_organization

    try:
        org = _find_org(reference)
        changed = verify_organization(db.session, org, by=None, via="cli")
    except AccountError as error:
        db.session.rollback()
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    state = "is now verified" if changed else "was already verified"
    click.echo(f"Organization {org.id}: {org.name} ({org.kind}, {org.state}) {state}.")


@orgs_cli.command("list")
def orgs_list() -> None:
    """Print every organization with its id, kind, state, vetting and number of members."""
    from sqlalchemy import func, select

    from rubric_app.accounts.vetting import verification_status
    from rubric_app.models import Membership, Organization

    rows = db.session.execute(
        select(Organization, func.count(Membership.id))
        .outerjoin(Membership, Membership.org_id == Organization.id)
        .group_by(Organization.id)
        .order_by(Organization.state, Organization.name)
    )
    click.echo(f"{'ID':>5} {'STATE':5} {'KIND':20} {'VETTING':10} {'MEMBERS':>7}  NAME")
    for org, members in rows:
        vetting = verification_status(org)  # verified, pending, rejected or not_needed
        click.echo(f"{org.id:>5} {org.state:5} {org.kind:20} {vetting:10} {members:>7}  {org.name}")


def register(app: Flask) -> None:
    """Add the command groups to the app."""
    from rubric_app.jobs.cli import jobs_cli
    from rubric_app.reports.cli import assessments_cli

    groups = (
        db_cli,
        rubrics_cli,
        frameworks_cli,
        demo_cli,
        users_cli,
        orgs_cli,
        assessments_cli,
        jobs_cli,
    )
    for group in groups:
        app.cli.add_command(group)
