"""Load test on gunicorn (4 workers) and PostgreSQL: capacity at human pace, then saturation.

``make load`` runs it. Steps, all on this machine (loopback only) and bounded in time:

1. A throwaway PostgreSQL database: ``LOAD_DATABASE_URL`` if set (it is emptied), otherwise the
   machine's PostgreSQL 15 cluster is started if needed and a ``rubric_app_load`` role and
   database are (re)created through ``runuser -u postgres psql`` (needs root).
2. Migrate, load the rubrics and make one organization per simulated person, each with one
   owner and one draft assessment of the local implementation rubric.
3. Start ``gunicorn -w 4 wsgi:app`` on a free 127.0.0.1 port.
4. **Capacity (realistic profile).** People sign in, open section pages and autosave changed
   answers as the page's script does (the whole form first, then the changed items' fields
   and every base, ``_forms.ChangedItems``; bases and revision carried forward),
   reading for 3 to 15 s between actions, as people do. The number of people steps up
   (``LOAD_STEPS``, default 10, 25, 50, 100, 200, 400, 800): each step adds people, who sign in
   spread over a ramp (``LOAD_RAMP_SECONDS``, 20, or ``LOAD_RAMP_PER_PERSON``, 0.5 s per
   newcomer, whichever is longer), then every request of the next
   ``LOAD_STEP_SECONDS`` (60) counts. A step passes with p95 at most 200 ms over its page
   views and autosaves and no error at all; the capacity is the largest passing step. Sign-ins
   (argon2 on purpose, once per visit) are reported beside, not in the p95.
5. **Saturation.** ``LOAD_USERS`` (50) further people with 0.1 to 0.5 s pauses for
   ``LOAD_SECONDS`` (60): requests per second, per CPU core of the machine, and per CPU second
   the gunicorn processes used (their rusage once they exit).
6. Stop gunicorn, then check the database: each person's assessment holds exactly the last
   acknowledged value of every item and dimension they changed, nothing they did not write,
   and every answer row was written by that assessment's own user.
7. Print and write to BENCHMARKS.md. Exit 1 on any server error or any lost or crossed answer.

``LOAD_PROFILE=realistic`` or ``saturation`` runs only one of the two.
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
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher, profiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _forms import ChangedItems, read_form  # noqa: E402 - shared with the benchmarks
from _report import machine_note, write_section  # noqa: E402
from sqlalchemy import MetaData, select  # noqa: E402

from rubric_app import create_app  # noqa: E402
from rubric_app.accounts.operations import add_member, create_organization, create_user  # noqa: E402
from rubric_app.accounts.passwords import DEFAULT_PROFILE  # noqa: E402
from rubric_app.assessments import start_assessment  # noqa: E402
from rubric_app.catalog_state import current_catalog  # noqa: E402
from rubric_app.db import db  # noqa: E402
from rubric_app.migrate import upgrade  # noqa: E402
from rubric_app.models import Answer, Assessment, Membership, User  # noqa: E402
from rubric_app.rubric_versions import latest_version, record_catalog  # noqa: E402

USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
PROFILE = os.environ.get("LOAD_PROFILE", "both")
#: Pause between a user's actions in the saturation run (seconds): as fast as a script.
THINK = (0.1, 0.5)
#: Pause in the realistic profile: people read a question, think, then click.
HUMAN_THINK = (3.0, 15.0)
STEPS = tuple(int(n) for n in os.environ.get("LOAD_STEPS", "10,25,50,100,200,400,800").split(","))
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "60"))
RAMP_SECONDS = float(os.environ.get("LOAD_RAMP_SECONDS", "20"))
#: Newcomers arrive at most this often (seconds per person): each sign-in costs about half a
#: second of argon2 on purpose, so 200 people arriving within 20 s queue 90 CPU seconds on two
#: cores, and the step would measure that burst instead of people at work.
RAMP_PER_PERSON = float(os.environ.get("LOAD_RAMP_PER_PERSON", "0.5"))
#: The saturation run's people sign in spread over this many seconds, before anything counts.
SATURATION_WARMUP = 20.0
#: A capacity step passes with p95 of page views and autosaves at most this, and no error.
P95_LIMIT = 0.200
#: Request kinds the capacity verdict reads (sign-in is once per visit and slow on purpose).
WORKING = ("section page", "autosave")
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


def prepare(url: str, instance: Path, secret: str, count: int) -> tuple[list[Person], list[Choice]]:
    """Migrate, load the rubrics and make ``count`` organizations with one owner and one draft;
    return the people and the answers they may change."""
    os.environ["RUBRIC_APP_INSTANCE_PATH"] = str(instance)
    # Accounts are made with the cheapest argon2 profile, then all given one hash made at the
    # production cost: hashing 850 times at that cost would take minutes, and sign-in (the
    # server runs the production profile) still verifies a production-cost hash.
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "ARGON2_PROFILE": "CHEAPEST"})
    production_hash = PasswordHasher.from_parameters(getattr(profiles, DEFAULT_PROFILE)).hash(
        PASSWORD
    )
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
        for number in range(1, count + 1):
            org = create_organization(
                session, name=f"Load Test District {number:03d}", kind="district", state="OH"
            )
            email = f"owner{number:03d}@load.example.org"
            user = create_user(session, email=email, name=f"Owner {number:03d}", password=PASSWORD)
            user.password_hash = production_hash
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


@dataclass
class Server:
    """A running gunicorn: its address and the master's process id."""

    base: str
    pid: int = 0


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and its children (Linux /proc; nan elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for each in [str(pid), *children]:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    except OSError:
        return float("nan")
    return total


@contextmanager
def gunicorn(url: str, instance: Path, secret: str) -> Iterator[Server]:
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
    server = Server(f"http://127.0.0.1:{port}", process.pid)
    base = server.base
    try:
        # Generous: on a busy machine, four workers importing the app take a while.
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {instance / 'gunicorn.log'}")
            time.sleep(0.3)
        yield server
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
    """What every request of one phase (a capacity step, the saturation run) took and how it
    ended."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass
class Ledger:
    """What the server said it saved, over the whole run, for the check against the database."""

    #: assessment id -> (item, dimension) -> last value acknowledged as saved
    saved: dict[int, dict[tuple[str, str], str]] = field(default_factory=lambda: defaultdict(dict))
    #: (assessment, item, dimension) whose last save got no clear answer (timeout, 5xx)
    uncertain: set[tuple[int, str, str]] = field(default_factory=set)
    unacknowledged: list[str] = field(default_factory=list)
    saves: int = 0


@dataclass
class Recorder:
    """Where requests are written: the current phase's tally (swapped between phases), the
    run's ledger."""

    tally: Tally = field(default_factory=Tally)
    ledger: Ledger = field(default_factory=Ledger)


@dataclass(frozen=True)
class Choice:
    section: str
    item: str
    dimension: str
    options: tuple[str, ...]


def choices_of_rubric() -> list[Choice]:
    """Rated items without a show_if condition, so an answer is always visible and kept."""
    rubric = current_catalog().rubrics[RUBRIC]
    found: list[Choice] = []
    for section in rubric.sections:
        for item in section.items:
            scale = rubric.scale_of(item)
            if item.show_if is not None or not item.scored or scale is None:
                continue
            keys = tuple(option.key for option in scale.options)
            found.extend(Choice(section.id, item.id, d, keys) for d in item.answer_dimensions)
    return found


async def timed(
    recorder: Recorder, kind: str, client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    tally = recorder.tally  # the phase the request started in counts it
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


async def sign_in(recorder: Recorder, client: httpx.AsyncClient, person: Person) -> bool:
    page = await timed(recorder, "sign-in page", client, "GET", "/signin")
    if page is None:
        return False
    token = read_form(page.text).value("csrf_token") or ""
    response = await timed(
        recorder,
        "sign in",
        client,
        "POST",
        "/signin",
        data={"csrf_token": token, "email": person.email, "password": PASSWORD},
    )
    return response is not None and response.status_code == 302


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less if the run is told to stop meanwhile."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def fill_in(
    recorder: Recorder,
    base: str,
    person: Person,
    choices: list[Choice],
    stop: asyncio.Event,
    rng: random.Random,
    think: tuple[float, float],
    arrive_within: float = 0.0,
    arrived: asyncio.Queue[bool] | None = None,
) -> None:
    """One person: arrive, sign in, then open sections and change answers until told to stop.

    ``arrived`` (if given) hears True once signed in, False if the sign-in failed."""
    by_section: dict[str, list[Choice]] = defaultdict(list)
    for choice in choices:
        by_section[choice.section].append(choice)
    sections = sorted(by_section)
    limits = httpx.Limits(max_connections=2)
    await pause(stop, rng.uniform(0, arrive_within))
    if stop.is_set():
        return
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        signed = await sign_in(recorder, client, person)
        if arrived is not None:
            arrived.put_nowait(signed)
        if not signed:
            recorder.tally.failures.append(f"{person.email} could not sign in")
            return
        while not stop.is_set():
            section = rng.choice(sections)
            url = f"/assessments/{person.assessment_id}/sections/{section}"
            page = await timed(recorder, "section page", client, "GET", url)
            if page is None or page.status_code != 200:
                await pause(stop, 1)
                continue
            form = read_form(page.text, "section-form")
            script = ChangedItems.of(form)
            for _ in range(rng.randint(1, 3)):
                await pause(stop, rng.uniform(*think))
                if stop.is_set():
                    break
                picked = rng.sample(by_section[section], k=min(2, len(by_section[section])))
                fields = form.fields
                for choice in picked:
                    name = f"{choice.item}__{choice.dimension}"
                    fields = [(n, v) for n, v in fields if n != name]
                    fields.append((name, rng.choice(choice.options)))
                form.fields = fields
                await autosave(recorder, client, person, form, script, picked)
            await pause(stop, rng.uniform(*think))


async def autosave(
    recorder: Recorder,
    client: httpx.AsyncClient,
    person: Person,
    form: Any,
    script: ChangedItems,
    picked: list[Choice],
) -> None:
    """Post what the page's script posts (``ChangedItems``), then carry bases and revision
    forward and take the confirmed items as it does."""
    ledger = recorder.ledger
    token = form.value("csrf_token") or ""
    keys = [(person.assessment_id, c.item, c.dimension) for c in picked]
    ledger.saves += 1
    response = await timed(
        recorder,
        "autosave",
        client,
        "POST",
        f"/assessments/{person.assessment_id}/autosave",
        data=_as_multi(script.post(form.fields)),
        headers={"X-CSRFToken": token, "X-Requested-With": "fetch"},
    )
    if response is None or response.status_code >= 500:
        ledger.uncertain.update(keys)
        return
    if response.status_code != 200:
        return
    payload = response.json()
    script.confirm(payload.get("confirmed", []))
    saved = set(payload.get("saved", []))
    for choice, key in zip(picked, keys, strict=True):
        name = f"{choice.item}__{choice.dimension}"
        value = form.value(name) or ""
        if choice.item in saved:
            ledger.saved[person.assessment_id][(choice.item, choice.dimension)] = value
            ledger.uncertain.discard(key)
        elif payload.get("status") != "saved" or payload.get("errors"):
            ledger.unacknowledged.append(f"{person.email} {name}: {payload}")
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


async def warm_up(base: str, person: Person, choices: list[Choice]) -> None:
    """Open every section a few times per worker, unmeasured, so no step pays for the workers'
    first requests (imports, the rubric catalog, template compilation). Saves nothing."""
    recorder = Recorder()
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        if not await sign_in(recorder, client, person):
            raise RuntimeError("warm-up: could not sign in")
        for section in sorted({choice.section for choice in choices}):
            url = f"/assessments/{person.assessment_id}/sections/{section}"
            for _ in range(2 * WORKERS):
                await timed(recorder, "warm-up", client, "GET", url)


@dataclass(frozen=True)
class Step:
    """One capacity step: how many people were active and what their requests took."""

    users: int
    seconds: float
    tally: Tally

    def working(self) -> list[float]:
        return [v for kind in WORKING for v in self.tally.latencies.get(kind, [])]

    def p95(self) -> float:
        return percentile(self.working(), 0.95)

    def errors(self) -> int:
        return len(self.tally.server_errors) + len(self.tally.failures)

    def passed(self) -> bool:
        return bool(self.working()) and self.p95() <= P95_LIMIT and self.errors() == 0


async def step_up(
    recorder: Recorder, base: str, people: list[Person], choices: list[Choice]
) -> tuple[list[Step], Tally]:
    """The realistic profile: add people step by step until a step fails; return the steps and
    the ramps' tally (sign-ins and anything during arrivals)."""
    stop = asyncio.Event()
    rng = random.Random(2016)  # noqa: S311 - load pattern, not security
    tasks: list[asyncio.Task[None]] = []
    steps: list[Step] = []
    ramps = Tally()
    for users in STEPS:
        if users > len(people):
            break
        recorder.tally = ramps
        ramp = max(RAMP_SECONDS, (users - len(tasks)) * RAMP_PER_PERSON)
        for person in people[len(tasks) : users]:
            person_rng = random.Random(rng.random())  # noqa: S311
            tasks.append(
                asyncio.create_task(
                    fill_in(
                        recorder,
                        base,
                        person,
                        choices,
                        stop,
                        person_rng,
                        HUMAN_THINK,
                        arrive_within=ramp,
                    )
                )
            )
        print(f"  {users} people: arriving over {ramp:.0f} s ...", flush=True)
        await asyncio.sleep(ramp + 2)
        recorder.tally = Tally()
        start = time.monotonic()
        await asyncio.sleep(STEP_SECONDS)
        step = Step(users, time.monotonic() - start, recorder.tally)
        steps.append(step)
        print(
            f"  {users} people: {len(step.working())} requests, p95 {ms(step.p95())}, "
            f"errors {step.errors()} -> {'pass' if step.passed() else 'FAIL'}",
            flush=True,
        )
        if not step.passed():
            break
    recorder.tally = ramps
    stop.set()
    await asyncio.gather(*tasks)
    return steps, ramps


@dataclass(frozen=True)
class Saturation:
    tally: Tally
    seconds: float
    server_cpu: float
    warmup: Tally  # the sign-ins before the counted window


async def saturate(
    recorder: Recorder, server: Server, people: list[Person], choices: list[Choice]
) -> Saturation:
    """The saturation run: everyone, pausing 0.1 to 0.5 s. People sign in spread over
    SATURATION_WARMUP seconds (argon2 on purpose: all at once would measure only that); once
    everyone is in, every request and gunicorn's CPU time for SECONDS count."""
    recorder.tally = Tally()
    stop = asyncio.Event()
    arrived: asyncio.Queue[bool] = asyncio.Queue()
    rng = random.Random(2016)  # noqa: S311 - load pattern, not security
    tasks = [
        asyncio.create_task(
            fill_in(
                recorder,
                server.base,
                person,
                choices,
                stop,
                person_rng,
                THINK,
                arrive_within=SATURATION_WARMUP,
                arrived=arrived,
            )
        )
        for person, person_rng in zip(
            people,
            [random.Random(rng.random()) for _ in people],  # noqa: S311 - load pattern
            strict=True,
        )
    ]
    for _ in people:
        await asyncio.wait_for(arrived.get(), timeout=SATURATION_WARMUP + 120)
    warmup = recorder.tally
    recorder.tally = Tally()
    cpu_start = tree_cpu_seconds(server.pid)
    start = time.monotonic()
    await asyncio.sleep(SECONDS)
    elapsed = time.monotonic() - start
    cpu = tree_cpu_seconds(server.pid) - cpu_start
    tally = recorder.tally
    recorder.tally = Tally()  # requests still in flight at the stop are not counted
    stop.set()
    await asyncio.gather(*tasks)
    return Saturation(tally, elapsed, cpu, warmup)


# --- Checking and reporting ----------------------------------------------------------------


def check_database(
    url: str, instance: Path, secret: str, people: list[Person], ledger: Ledger
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
            expected = ledger.saved.get(person.assessment_id, {})
            actual = stored.get(person.assessment_id, {})
            for key, value in expected.items():
                if (person.assessment_id, *key) in ledger.uncertain:
                    continue
                if actual.get(key) != value:
                    problems.append(
                        f"lost: {person.email} {key}: saved {value!r}, stored {actual.get(key)!r}"
                    )
            for key in actual.keys() - expected.keys():
                if (person.assessment_id, *key) not in ledger.uncertain:
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


def latency_table(tally: Tally) -> list[str]:
    everything = [value for values in tally.latencies.values() for value in values]
    lines = ["| Request | Count | p50 | p95 | p99 | max |", "|---|---:|---:|---:|---:|---:|"]
    for kind, values in [("all", everything), *sorted(tally.latencies.items())]:
        lines.append(
            f"| {kind} | {len(values)} | {ms(percentile(values, 0.5))} | "
            f"{ms(percentile(values, 0.95))} | {ms(percentile(values, 0.99))} | "
            f"{ms(max(values) if values else float('nan'))} |"
        )
    return lines


def capacity_report(steps: list[Step], ramps: Tally) -> list[str]:
    passed = [step.users for step in steps if step.passed()]
    capacity = max(passed) if passed else 0
    failed = next((step for step in steps if not step.passed()), None)
    if failed is not None:
        verdict = f"the step to {failed.users} failed"
    elif steps and steps[-1].users == STEPS[-1]:
        verdict = f"the last step ({STEPS[-1]}) passed: the limit is higher, not measured"
    else:
        verdict = "no step ran"
    signins = ramps.latencies.get("sign in", [])
    lines = [
        f"### Capacity (realistic profile: {HUMAN_THINK[0]:.0f} to {HUMAN_THINK[1]:.0f} s "
        "between actions)",
        "",
        f"**{capacity} simultaneous users** served with p95 at most {ms(P95_LIMIT)} over page "
        f"views and autosaves and no error ({verdict}). Each step adds people who sign in "
        f"spread over {RAMP_SECONDS:.0f} s, or {RAMP_PER_PERSON:g} s per newcomer when more "
        f"arrive; then every request for {STEP_SECONDS:.0f} s counts.",
        "",
        "| Users | Requests | Requests/s | p50 | p95 | p99 | Errors | Verdict |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for step in steps:
        values = step.working()
        lines.append(
            f"| {step.users} | {len(values)} | {len(values) / step.seconds:.1f} | "
            f"{ms(percentile(values, 0.5))} | {ms(step.p95())} | "
            f"{ms(percentile(values, 0.99))} | {step.errors()} | "
            f"{'pass' if step.passed() else 'FAIL'} |"
        )
    lines += [
        "",
        f"Sign-ins during the ramps (argon2, once per visit, not in the p95): {len(signins)}, "
        f"p50 {ms(percentile(signins, 0.5))}, p95 {ms(percentile(signins, 0.95))}; "
        f"errors during ramps: {len(ramps.server_errors) + len(ramps.failures)}.",
    ]
    return lines


def saturation_report(run: Saturation) -> list[str]:
    tally, elapsed, server_cpu = run.tally, run.seconds, run.server_cpu
    signins = run.warmup.latencies.get("sign in", [])
    everything = [value for values in tally.latencies.values() for value in values]
    cores = os.cpu_count() or 1
    rate = len(everything) / elapsed if elapsed else 0.0
    per_cpu_second = len(everything) / server_cpu if server_cpu else float("nan")
    return [
        f"### Saturation ({USERS} users, {THINK[0]} to {THINK[1]} s between actions, "
        f"{SECONDS:.0f} s counted once everyone had signed in)",
        "",
        f"- Requests: {len(everything)} in {elapsed:.1f} s: **{rate:.1f}/s, "
        f"{rate / cores:.1f}/s per CPU core** of this {cores}-core machine (which also runs "
        "the client and PostgreSQL)",
        f"- gunicorn's own CPU time meanwhile (master and workers): {server_cpu:.1f} s, so "
        f"**{per_cpu_second:.1f} requests per CPU second** of the app server (PostgreSQL and "
        "the client not counted)",
        f"- Server errors (5xx): {len(tally.server_errors)}; other failures (4xx, timeouts): "
        f"{len(tally.failures)}",
        f"- Before the counted window, {len(signins)} sign-ins (p50 "
        f"{ms(percentile(signins, 0.5))}, p95 {ms(percentile(signins, 0.95))}); errors then: "
        f"{len(run.warmup.server_errors) + len(run.warmup.failures)}",
        "",
        *latency_table(tally),
    ]


def estimate_report(steps: list[Step], run: Saturation) -> list[str]:
    """An upper bound derived from two measurements (not itself measured): how many people at
    the realistic pace the app server's CPU could serve if it had the machine's cores alone."""
    if not steps or not run.server_cpu or run.server_cpu != run.server_cpu:
        return []
    rate_per_user = sum(len(s.working()) / s.seconds for s in steps) / sum(s.users for s in steps)
    per_cpu_second = sum(len(v) for v in run.tally.latencies.values()) / run.server_cpu
    cores = os.cpu_count() or 1
    # At 70 % busy, queueing keeps the p95 near the service time (M/M/c rule of thumb).
    users = 0.7 * cores * per_cpu_second / rate_per_user if rate_per_user else 0.0
    return [
        "",
        f"Derived, not measured: a person at the realistic pace sends {rate_per_user:.3f} "
        f"requests/s and the app server needs {1000 / per_cpu_second:.0f} ms of CPU per "
        f"request, so with its {cores} cores to itself at 70 % busy it would serve about "
        f"{users:.0f} people (PostgreSQL's own CPU not counted; the measured capacity above is "
        "what this shared machine did).",
    ]


def ledger_report(ledger: Ledger, problems: list[str]) -> list[str]:
    return [
        "### Answers",
        "",
        f"- Autosaves: {ledger.saves}; answers checked in the database: "
        f"{sum(len(v) for v in ledger.saved.values())}",
        f"- Lost or crossed answers: {len(problems)}; saves whose outcome was unclear: "
        f"{len(ledger.uncertain)}; saves not acknowledged: {len(ledger.unacknowledged)}",
    ]


def main() -> int:
    url = throwaway_database()
    secret = secrets.token_hex(32)
    instance = Path(tempfile.mkdtemp(prefix="rubric-app-load-"))
    realistic = PROFILE in ("both", "realistic")
    saturation = PROFILE in ("both", "saturation")
    capacity_people = max(STEPS) if realistic else 0
    # One more person only warms the server up (opens pages, saves nothing).
    count = capacity_people + (USERS if saturation else 0) + 1
    print(f"preparing {count} organizations, users and draft assessments ...", flush=True)
    people, choices = prepare(url, instance, secret, count)
    recorder = Recorder()
    sections = [
        f"Last run: {dt.date.today().isoformat()}, {machine_note()}; gunicorn {WORKERS} sync "
        "workers, PostgreSQL 15, load client on the same machine (asyncio + httpx).",
        "",
    ]
    errors = 0
    steps: list[Step] = []
    if realistic:
        with gunicorn(url, instance, secret) as server:
            asyncio.run(warm_up(server.base, people[-1], choices))
            print(f"capacity: stepping up {STEPS} against {server.base} ...", flush=True)
            steps, ramps = asyncio.run(
                step_up(recorder, server.base, people[:capacity_people], choices)
            )
        capacity = capacity_report(steps, ramps)
        # Printed at once: a later failure (the saturation server not starting) must not lose it.
        print("\n".join(capacity), flush=True)
        sections += [*capacity, ""]
        errors += len(ramps.server_errors) + sum(len(s.tally.server_errors) for s in steps)
    if saturation:
        with gunicorn(url, instance, secret) as server:
            asyncio.run(warm_up(server.base, people[-1], choices))
            print(f"saturation: {USERS} users for {SECONDS:.0f} s ...", flush=True)
            run = asyncio.run(saturate(recorder, server, people[capacity_people:-1], choices))
        sections += [*saturation_report(run), *estimate_report(steps, run), ""]
        errors += len(run.tally.server_errors) + len(run.warmup.server_errors)
    problems = check_database(url, instance, secret, people, recorder.ledger)
    sections += ledger_report(recorder.ledger, problems)
    text = "\n".join(sections)
    print(text)
    for line in (recorder.ledger.unacknowledged + problems)[:20]:
        print("  ", line)
    write_section("load", "make load", text)
    shutil.rmtree(instance, ignore_errors=True)
    return 1 if errors or problems or recorder.ledger.unacknowledged else 0


if __name__ == "__main__":
    sys.exit(main())
