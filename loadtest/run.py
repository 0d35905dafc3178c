"""Load test: 50 people filling in questionnaires at once on gunicorn (4 workers) and PostgreSQL.

``make load`` runs it. Steps, all on this machine (loopback only) and bounded in time:

1. A throwaway PostgreSQL database: ``LOAD_DATABASE_URL`` if set (it is emptied), otherwise the
   machine's PostgreSQL 15 cluster is started if needed and a ``rubric_app_load`` role and
   database are (re)created through ``runuser -u postgres psql`` (needs root).
2. Migrate, load the rubrics and make 50 organizations, each with one owner and one draft
   assessment of the local implementation rubric.
3. Start ``gunicorn -w 4 wsgi:app`` on a free 127.0.0.1 port.
4. For ``LOAD_SECONDS`` (60) seconds, 50 simulated users (asyncio + httpx) sign in, open section
   pages and autosave changed answers as the page's script does (whole-form FormData, bases
   and revision carried forward), pausing briefly between actions. Every answer the server
   acknowledged as saved is remembered.
5. Stop gunicorn, then check the database: each user's assessment holds exactly the last
   acknowledged value of every item and dimension they changed, nothing they did not write,
   and every answer row was written by that assessment's own user.
6. Print and write to BENCHMARKS.md: requests, server errors, other failures, throughput, and
   p50/p95/p99 latency overall and per kind of request. Exit 1 on any server error or any lost
   or crossed answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _forms import read_form  # noqa: E402 - shared with the benchmarks, on the path above
from _report import machine_note, write_section  # noqa: E402
from sqlalchemy import MetaData, select  # noqa: E402

from rubric_app import create_app  # noqa: E402
from rubric_app.accounts.operations import add_member, create_organization, create_user  # noqa: E402
from rubric_app.assessments import start_assessment  # noqa: E402
from rubric_app.catalog_state import current_catalog  # noqa: E402
from rubric_app.db import db  # noqa: E402
from rubric_app.migrate import upgrade  # noqa: E402
from rubric_app.models import Answer, Assessment, Membership, User  # noqa: E402
from rubric_app.rubric_versions import latest_version, record_catalog  # noqa: E402

USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
#: Pause between a user's actions (seconds): people read, then click.
THINK = (0.1, 0.5)
RUBRIC = "secure-local-implementation"
PASSWORD = "load test password, not a secret"  # noqa: S105 - throwaway users in a throwaway db
ROLE = "rubric_app_load"


# --- The database -------------------------------------------------------------------------


def throwaway_database() -> str:
    """The URL of an empty database for this run (see the module docstring)."""
    configured = os.environ.get("LOAD_DATABASE_URL")
    if configured:
        return configured
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        sys.exit("Set LOAD_DATABASE_URL to a throwaway PostgreSQL database (or run as root).")
    tools = {
        name: shutil.which(name) or name for name in ("pg_ctlcluster", "pg_isready", "runuser")
    }
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [tools["pg_ctlcluster"], "15", "main", "start"], check=False, capture_output=True
    )
    for _ in range(30):
        if subprocess.run([tools["pg_isready"], "-q"], check=False).returncode == 0:  # noqa: S603
            break
        time.sleep(1)
    password = secrets.token_hex(12)
    # Identifiers are constants; only the password varies and it is hex.
    # The role is kept across runs (another database may belong to it, and DROP ROLE would then
    # fail); only its password and the load database are renewed.
    script = f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
    CREATE ROLE {ROLE} LOGIN;
  END IF;
END
$$;
ALTER ROLE {ROLE} LOGIN PASSWORD '{password}';
DROP DATABASE IF EXISTS {ROLE} WITH (FORCE);
CREATE DATABASE {ROLE} OWNER {ROLE};
"""
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [tools["runuser"], "-u", "postgres", "--", "psql", "-q", "-v", "ON_ERROR_STOP=1"],
        input=script,
        text=True,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
        check=True,
        # postgres cannot read root's working directory; psql would complain about it.
        cwd=tempfile.gettempdir(),
    )
    return f"postgresql://{ROLE}:{password}@127.0.0.1:5432/{ROLE}"


@dataclass(frozen=True)
class Person:
    email: str
    user_id: int
    assessment_id: int


def prepare(url: str, instance: Path, secret: str) -> tuple[list[Person], list[Choice]]:
    """Migrate, load the rubrics and make USERS organizations with one owner and one draft;
    return the people and the answers they may change."""
    os.environ["RUBRIC_APP_INSTANCE_PATH"] = str(instance)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret})
    with app.app_context():
        existing = MetaData()
        existing.reflect(bind=db.engine)
        existing.drop_all(bind=db.engine)
    upgrade(app)
    people = []
    with app.app_context():
        session = db.session
        record_catalog(session, current_catalog())
        version = latest_version(session, RUBRIC)
        assert version is not None, f"rubric {RUBRIC} is not loaded"
        for number in range(1, USERS + 1):
            org = create_organization(
                session, name=f"Load Test District {number:02d}", kind="district", state="OH"
            )
            email = f"owner{number:02d}@load.example.org"
            user = create_user(session, email=email, name=f"Owner {number:02d}", password=PASSWORD)
            add_member(session, user=user, org=org, role="owner")
            assessment = start_assessment(
                session, org=org, version=version, title="Load test", period="2026-27", user=user
            )
            people.append(Person(email, user.id, assessment.id))
        session.commit()
        choices = choices_of_rubric()
        db.engine.dispose()
    return people, choices


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn(url: str, instance: Path, secret: str) -> Iterator[str]:
    """gunicorn with WORKERS workers on a free loopback port; stopped on the way out."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "RUBRIC_APP_INSTANCE_PATH": str(instance),
        # Plain http on loopback, and 50 people signing in from one address within a minute.
        "RUBRIC_APP_SESSION_COOKIE_SECURE": "false",
        "RUBRIC_APP_REMEMBER_COOKIE_SECURE": "false",
        "RUBRIC_APP_RATELIMIT_ENABLED": "false",
    }
    log = (instance / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {instance / 'gunicorn.log'}")
            time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- The simulated people ------------------------------------------------------------------


@dataclass
class Tally:
    """What every request took and how it ended, and what the server said it saved."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: assessment id -> (item, dimension) -> last value acknowledged as saved
    saved: dict[int, dict[tuple[str, str], str]] = field(default_factory=lambda: defaultdict(dict))
    #: (assessment, item, dimension) whose last save got no clear answer (timeout, 5xx)
    uncertain: set[tuple[int, str, str]] = field(default_factory=set)
    unacknowledged: list[str] = field(default_factory=list)
    saves: int = 0


@dataclass(frozen=True)
class Choice:
    section: str
    item: str
    dimension: str
    options: tuple[str, ...]


def choices_of_rubric() -> list[Choice]:
    """Rated items without a show_if condition, so an answer is always visible and kept."""
    rubric = current_catalog().rubrics[RUBRIC]
    found = []
    for section in rubric.sections:
        for item in section.items:
            scale = rubric.scale_of(item)
            if item.show_if is not None or not item.scored or scale is None:
                continue
            keys = tuple(option.key for option in scale.options)
            found.extend(Choice(section.id, item.id, d, keys) for d in item.answer_dimensions)
    return found


async def timed(
    tally: Tally, kind: str, client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as error:
        tally.failures.append(f"{kind} {url}: {type(error).__name__}")
        return None
    tally.latencies[kind].append(time.perf_counter() - start)
    if response.status_code >= 500:
        tally.server_errors.append(f"{kind} {url}: {response.status_code}")
    elif response.status_code >= 400:
        tally.failures.append(f"{kind} {url}: {response.status_code}")
    return response


async def sign_in(tally: Tally, client: httpx.AsyncClient, person: Person) -> bool:
    page = await timed(tally, "sign-in page", client, "GET", "/signin")
    if page is None:
        return False
    token = read_form(page.text).value("csrf_token") or ""
    response = await timed(
        tally,
        "sign in",
        client,
        "POST",
        "/signin",
        data={"csrf_token": token, "email": person.email, "password": PASSWORD},
    )
    return response is not None and response.status_code == 302


async def fill_in(
    tally: Tally,
    base: str,
    person: Person,
    choices: list[Choice],
    deadline: float,
    rng: random.Random,
) -> None:
    """One person: sign in, then open sections and change answers until the deadline."""
    by_section: dict[str, list[Choice]] = defaultdict(list)
    for choice in choices:
        by_section[choice.section].append(choice)
    sections = sorted(by_section)
    limits = httpx.Limits(max_connections=2)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        if not await sign_in(tally, client, person):
            tally.failures.append(f"{person.email} could not sign in")
            return
        while time.monotonic() < deadline:
            section = rng.choice(sections)
            url = f"/assessments/{person.assessment_id}/sections/{section}"
            page = await timed(tally, "section page", client, "GET", url)
            if page is None or page.status_code != 200:
                await asyncio.sleep(1)
                continue
            form = read_form(page.text, "section-form")
            for _ in range(rng.randint(1, 3)):
                if time.monotonic() >= deadline:
                    break
                await asyncio.sleep(rng.uniform(*THINK))
                picked = rng.sample(by_section[section], k=min(2, len(by_section[section])))
                fields = form.fields
                for choice in picked:
                    name = f"{choice.item}__{choice.dimension}"
                    fields = [(n, v) for n, v in fields if n != name]
                    fields.append((name, rng.choice(choice.options)))
                form.fields = fields
                await autosave(tally, client, person, form, picked)
            await asyncio.sleep(rng.uniform(*THINK))


async def autosave(
    tally: Tally, client: httpx.AsyncClient, person: Person, form: Any, picked: list[Choice]
) -> None:
    """Post the whole form as the page's script does, then carry bases and revision forward."""
    token = form.value("csrf_token") or ""
    keys = [(person.assessment_id, c.item, c.dimension) for c in picked]
    tally.saves += 1
    response = await timed(
        tally,
        "autosave",
        client,
        "POST",
        f"/assessments/{person.assessment_id}/autosave",
        data=_as_multi(form.fields),
        headers={"X-CSRFToken": token, "X-Requested-With": "fetch"},
    )
    if response is None or response.status_code >= 500:
        tally.uncertain.update(keys)
        return
    if response.status_code != 200:
        return
    payload = response.json()
    saved = set(payload.get("saved", []))
    for choice, key in zip(picked, keys, strict=True):
        name = f"{choice.item}__{choice.dimension}"
        value = form.value(name) or ""
        if choice.item in saved:
            tally.saved[person.assessment_id][(choice.item, choice.dimension)] = value
            tally.uncertain.discard(key)
        elif payload.get("status") != "saved" or payload.get("errors"):
            tally.unacknowledged.append(f"{person.email} {name}: {payload}")
    # What the page's script does with the answer: new bases and revision for the next save.
    fields = form.fields
    for item, fingerprint in payload.get("bases", {}).items():
        fields = [(n, v) for n, v in fields if n != f"{item}__base"] + [
            (f"{item}__base", fingerprint)
        ]
    if "revision" in payload:
        fields = [(n, v) for n, v in fields if n != "base_revision"]
        fields.append(("base_revision", str(payload["revision"])))
    form.fields = fields


def _as_multi(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for name, value in fields:
        grouped[name].append(value)
    return grouped


async def drive(base: str, people: list[Person], choices: list[Choice]) -> tuple[Tally, float]:
    tally = Tally()
    start = time.monotonic()
    deadline = start + SECONDS
    rng = random.Random(2016)  # noqa: S311 - load pattern, not security
    await asyncio.gather(
        *(
            fill_in(tally, base, person, choices, deadline, random.Random(rng.random()))  # noqa: S311
            for person in people
        )
    )
    return tally, time.monotonic() - start


# --- Checking and reporting ----------------------------------------------------------------


def check_database(
    url: str, instance: Path, secret: str, people: list[Person], tally: Tally
) -> list[str]:
    """Lost answers (acknowledged but not stored) and crossed ones (stored where not written)."""
    os.environ["RUBRIC_APP_INSTANCE_PATH"] = str(instance)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret})
    problems: list[str] = []
    with app.app_context():
        session = db.session
        owners = {person.assessment_id: person.user_id for person in people}
        rows = session.execute(
            select(
                Answer.assessment_id,
                Answer.item_id,
                Answer.dimension,
                Answer.value,
                Answer.updated_by_id,
            )
        ).all()
        stored: dict[int, dict[tuple[str, str], str]] = defaultdict(dict)
        for assessment_id, item, dimension, value, by in rows:
            stored[assessment_id][(item, dimension)] = value
            if by != owners.get(assessment_id):
                problems.append(
                    f"crossed: assessment {assessment_id} {item}/{dimension} written by user {by}"
                )
        for person in people:
            expected = tally.saved.get(person.assessment_id, {})
            actual = stored.get(person.assessment_id, {})
            for key, value in expected.items():
                if (person.assessment_id, *key) in tally.uncertain:
                    continue
                if actual.get(key) != value:
                    problems.append(
                        f"lost: {person.email} {key}: saved {value!r}, stored {actual.get(key)!r}"
                    )
            for key in actual.keys() - expected.keys():
                if (person.assessment_id, *key) not in tally.uncertain:
                    problems.append(f"crossed: {person.email} has {key} which they never saved")
        # Each person's organization has exactly its own one assessment, with its own owner.
        for person in people:
            assessment = session.get(Assessment, person.assessment_id)
            member = session.scalar(select(Membership).where(Membership.user_id == person.user_id))
            if assessment is None or member is None or assessment.org_id != member.org_id:
                problems.append(f"crossed: {person.email}'s assessment is not their organization's")
        assert session.scalar(select(User).where(User.email == people[0].email)) is not None
        db.engine.dispose()
    return problems


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def report(tally: Tally, elapsed: float, problems: list[str]) -> str:
    everything = [value for values in tally.latencies.values() for value in values]
    lines = [
        f"Last run: {dt.date.today().isoformat()}, {machine_note()}; {USERS} users, "
        f"{SECONDS:.0f} s, gunicorn {WORKERS} sync workers, PostgreSQL 15, load client on the "
        "same machine (asyncio + httpx), 0.1 to 0.5 s pause between a user's actions.",
        "",
        f"- Requests: {len(everything)} in {elapsed:.1f} s ({len(everything) / elapsed:.1f}/s); "
        f"autosaves: {tally.saves}; answers checked in the database: "
        f"{sum(len(v) for v in tally.saved.values())}",
        f"- Server errors (5xx): {len(tally.server_errors)}; other failures (4xx, timeouts): "
        f"{len(tally.failures)}",
        f"- Lost or crossed answers: {len(problems)}; saves whose outcome was unclear: "
        f"{len(tally.uncertain)}",
        "",
        "| Request | Count | p50 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, values in [("all", everything), *sorted(tally.latencies.items())]:
        lines.append(
            f"| {kind} | {len(values)} | {ms(percentile(values, 0.5))} | "
            f"{ms(percentile(values, 0.95))} | {ms(percentile(values, 0.99))} | "
            f"{ms(max(values) if values else float('nan'))} |"
        )
    if everything:
        lines.append("")
        lines.append(f"Mean latency {ms(statistics.fmean(everything))}.")
    return "\n".join(lines)


def main() -> int:
    url = throwaway_database()
    secret = secrets.token_hex(32)
    instance = Path(tempfile.mkdtemp(prefix="rubric-app-load-"))
    print(f"preparing {USERS} organizations, users and draft assessments ...", flush=True)
    people, choices = prepare(url, instance, secret)
    with gunicorn(url, instance, secret) as base:
        print(f"{USERS} users for {SECONDS:.0f} s against {base} ...", flush=True)
        tally, elapsed = asyncio.run(drive(base, people, choices))
    problems = check_database(url, instance, secret, people, tally)
    text = report(tally, elapsed, problems)
    print(text)
    for line in (tally.server_errors + tally.failures + tally.unacknowledged + problems)[:20]:
        print("  ", line)
    write_section("load", "make load", text)
    shutil.rmtree(instance, ignore_errors=True)
    return 1 if tally.server_errors or problems or tally.unacknowledged else 0


if __name__ == "__main__":
    sys.exit(main())
