"""Benchmark at national scale on PostgreSQL: seed a country, then time the state roll-ups.

Seeds 13,000 school districts and 10,000 afterschool programs, spread over the 50 states and DC
roughly as school districts are (the largest state, Texas, gets about 1,600 organizations), each
with a submitted assessment in each of 3 periods shared with its state's advocate: about 69,000
assessments and 5.5 million answer rows (plus about 3.6 million note rows and 8 million cached
item results). Everything goes in through the operations' bulk path
(``rubric_app.bulk_import.submit_many``) with PostgreSQL COPY. Then, in the same run, it times:

- the state dashboard of the largest state through the Flask test client, signed in as its
  advocate, against its main grouped query (``rollup.item_results_query``) run alone;
- a national roll-up across all states (``national_rollup`` below: per state, the shared
  assessments and their mean overall score; nationally, per item and dimension, how many are
  rated and how many fully in place) for the latest period of the local rubric;
- the advocate's CSV export streamed through the test client, with ``tracemalloc``'s peak at
  two sizes (a smaller state and the largest), to show the peak does not grow with the rows.

Aims (issue 15, item 5): seeding at most 10 minutes; the largest state's dashboard at most
300 ms and at most 1.5x its main query; the national roll-up at most 2 s; the export's peak
memory flat in rows. ``--scale`` seeds a fraction of the country (0.25: a quarter of the
organizations in every state) where the full size cannot run; the figures say which scale ran.

Not part of ``make bench`` or ``make test``: it needs a throwaway PostgreSQL database (emptied
and migrated first) and several minutes. Results go into the "make bench-national" section of
BENCHMARKS.md.

Usage: ``make bench-national BENCH_DATABASE_URL=postgresql://user:pw@host/throwaway_db`` or
``.venv/bin/python benchmarks/bench_national.py --database-url URL [--scale F] [--runs N]
[--no-record]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _report import format_seconds, machine_note, median_seconds, write_section
from _setup import PASSWORD, bench_app, plain_app, signed_in
from sqlalchemy import (
    ARRAY,
    Engine,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    UniqueConstraint,
    bindparam,
    case,
    event,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    DropConstraint,
    DropIndex,
    ExecutableDDLElement,
)

from rubric_app.accounts.passwords import hash_password
from rubric_app.assessments import PAIR_DIMENSION
from rubric_app.db import db
from rubric_app.demo import DEMO_STATE
from rubric_app.demo_state import LOCAL_RUBRIC, AnswerPool, seed_state
from rubric_app.models import (
    Answer,
    Assessment,
    ItemNote,
    ItemResult,
    Membership,
    Organization,
    SectionScoreRow,
    Share,
    User,
)
from rubric_app.states import figure_cache, figure_jobs, figures, rollup
from rubric_app.states.rollup import Filters, Scope

PERIODS = ("2023-24", "2024-25", "2025-26")
DISTRICTS = 13_000
AFTERSCHOOL = 10_000
LARGEST = "TX"
#: About how many regular school districts each state has (rounded public counts; Texas trimmed
#: so the largest state holds about 1,600 of the 23,000 organizations, as the issue asks).
DISTRICTS_BY_STATE = {
    "AL": 150, "AK": 54, "AZ": 230, "AR": 235, "CA": 900, "CO": 180, "CT": 170, "DE": 20,
    "DC": 1, "FL": 67, "GA": 180, "HI": 1, "ID": 115, "IL": 850, "IN": 290, "IA": 330,
    "KS": 285, "KY": 170, "LA": 70, "ME": 230, "MD": 24, "MA": 300, "MI": 540, "MN": 330,
    "MS": 140, "MO": 520, "MT": 400, "NE": 245, "NV": 17, "NH": 170, "NJ": 580, "NM": 89,
    "NY": 690, "NC": 115, "ND": 175, "OH": 610, "OK": 510, "OR": 180, "PA": 500, "RI": 35,
    "SC": 80, "SD": 150, "TN": 140, "TX": 940, "UT": 41, "VT": 150, "VA": 130, "WA": 295,
    "WV": 55, "WI": 420, "WY": 48,
}  # fmt: skip
#: Answer sets per rubric version and maturity step (0.05) in each seeding process: about 19
#: steps x 2 rubrics x this many distinct sets, each scored once.
ANSWER_VARIANTS = 12
#: The tables that receive millions of rows: their secondary indexes and foreign keys are
#: dropped for the load and made again after it (one pass each instead of per row).
BULK_TABLES = ("answers", "item_notes", "item_results", "section_scores", "snapshots", "shares")
#: The smaller state whose export is measured beside the largest one's.
SMALLER = "KS"
#: The advocates' password in a --reuse run (throwaway accounts in a throwaway database).
REUSE_PASSWORD = "national benchmark password, not a secret"  # noqa: S105


def organizations_by_state(scale: float) -> dict[str, int]:
    """How many organizations (districts and afterschool programs) to seed in each state."""
    total = sum(DISTRICTS_BY_STATE.values())
    wanted = (DISTRICTS + AFTERSCHOOL) * scale
    return {state: max(1, round(wanted * n / total)) for state, n in DISTRICTS_BY_STATE.items()}


@dataclass(frozen=True)
class Seeded:
    seconds: float  # the whole seeding: load and index building
    index_seconds: float  # of which: making the secondary indexes and foreign keys again
    cpu_seconds: float  # the seeding processes' CPU time (Python side); the rest is PostgreSQL
    jobs: int
    organizations: int
    assessments: int
    rows: dict[str, int]
    passwords: dict[str, tuple[str, str]]  # state -> (advocate e-mail, password)


#: (state, organizations, assessments, advocate e-mail or "", password or "")
StateResult = tuple[str, int, int, str, str]


def seed_states(
    folder: str, plan: Sequence[tuple[str, int, int]]
) -> tuple[list[StateResult], float]:
    """Seed the planned (state, organizations, rng seed) in this process, one transaction per
    state; return what was made and this process's CPU seconds. Runs in a worker process."""
    cpu_start = _cpu_seconds()
    # Each state's advocate gets a new account: argon2 at its production cost would add
    # seconds per state to the seeding, which is not what this measures.
    app = plain_app(Path(folder), ARGON2_PROFILE="CHEAPEST")
    results: list[StateResult] = []
    # Answers come from a bounded set per rubric and maturity step, so the bulk path scores
    # and renders each set once in this process instead of once per assessment.
    pool = AnswerPool(ANSWER_VARIANTS)
    with app.app_context():
        session = db.session
        for state, n_orgs, rng_seed in plan:
            start = time.perf_counter()
            seeded = seed_state(
                session,
                n_orgs,
                state,
                rng_seed=rng_seed,
                afterschool_share=AFTERSCHOOL / (DISTRICTS + AFTERSCHOOL),
                periods=PERIODS,
                batch_size=1000,
                method="copy",
                pool=pool,
            )
            session.commit()
            results.append(
                (
                    state,
                    seeded.organizations,
                    seeded.assessments,
                    seeded.owner_email or "",
                    seeded.owner_password or "",
                )
            )
            print(
                f"  {state}: {seeded.organizations} organizations, {seeded.assessments} "
                f"assessments in {time.perf_counter() - start:.1f} s",
                flush=True,
            )
        db.engine.dispose()
    return results, _cpu_seconds() - cpu_start


@dataclass(frozen=True)
class LoadDdl:
    """The DDL around the load: what to drop first, what to make again after, in that order."""

    drop: list[ExecutableDDLElement]
    #: Each bulk table's indexes and unique constraints, by table (independent of each other).
    indexes: dict[str, list[ExecutableDDLElement]]
    foreign_keys: list[ExecutableDDLElement]


def load_ddl(engine: Engine) -> LoadDdl:
    """Return the DDL that drops the bulk tables' secondary indexes, unique constraints and
    foreign keys, and the DDL that makes them again, read from the database itself.

    For the benchmark's load only (a throwaway database nobody else writes): PostgreSQL then
    builds each index in one sorted pass and checks each foreign key with one join, instead of
    doing both for every one of millions of rows. The app's own bulk path never does this.
    """
    reflected = MetaData()
    reflected.reflect(bind=engine, only=list(BULK_TABLES))
    drop: list[ExecutableDDLElement] = []
    indexes: dict[str, list[ExecutableDDLElement]] = {}
    keys: list[ForeignKeyConstraint] = []
    for name in BULK_TABLES:
        table = reflected.tables[name]
        uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
        keys.extend(table.foreign_key_constraints)
        drop.extend(DropConstraint(c) for c in table.foreign_key_constraints)
        drop.extend(DropConstraint(c) for c in uniques)
        drop.extend(DropIndex(i) for i in table.indexes)
        indexes[name] = [
            *(CreateIndex(i) for i in table.indexes),
            *(AddConstraint(c) for c in uniques),
        ]
    # Foreign keys last: dropped before the indexes above (none depends on them), made after.
    drop.sort(key=lambda statement: not isinstance(statement, DropConstraint))
    return LoadDdl(drop, indexes, [AddConstraint(c) for c in keys])


def run_ddl(engine: Engine, statements: Sequence[ExecutableDDLElement]) -> None:
    """Run DDL in one transaction, with memory enough to sort a large index in one go."""
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in statements:
            connection.execute(statement)


def rebuild(engine: Engine, ddl: LoadDdl, jobs: int) -> None:
    """Make the indexes again, ``jobs`` tables at a time on as many connections (index builds
    are CPU-bound sorts), then the foreign keys in one transaction (they lock the tables they
    point at, so two at once could wait on each other)."""
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="index") as pool:
        for done in [pool.submit(run_ddl, engine, made) for made in ddl.indexes.values()]:
            done.result()
    run_ddl(engine, ddl.foreign_keys)


def seed_country(session: Session, folder: Path, scale: float, jobs: int) -> Seeded:
    """Seed every state through the bulk path (COPY) in ``jobs`` processes, largest first.

    The bulk tables' secondary indexes and foreign keys are dropped for the load and made again
    after it (``load_ddl``); the time to make them again is part of the seeding time.
    """
    by_state = organizations_by_state(scale)
    seeds = {state: 2016 + number for number, state in enumerate(by_state)}
    # Largest first onto the least loaded process, so the processes finish together.
    plans: list[list[tuple[str, int, int]]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for state, n_orgs in sorted(by_state.items(), key=lambda pair: -pair[1]):
        target = loads.index(min(loads))
        plans[target].append((state, n_orgs, seeds[state]))
        loads[target] += n_orgs
    start = time.perf_counter()
    session.commit()
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    ddl = load_ddl(engine)
    run_ddl(engine, ddl.drop)
    passwords: dict[str, tuple[str, str]] = {}
    organizations = assessments = 0
    cpu_seconds = 0.0
    context = multiprocessing.get_context("spawn")  # no engine or session crosses a fork
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(seed_states, str(folder), plan) for plan in plans if plan]
        for future in futures:
            results, cpu = future.result()
            cpu_seconds += cpu
            for state, orgs, made, email, password in results:
                organizations += orgs
                assessments += made
                if email and password:
                    passwords[state] = (email, password)
    index_start = time.perf_counter()
    rebuild(engine, ddl, jobs)
    seconds = time.perf_counter() - start
    index_seconds = time.perf_counter() - index_start
    rows = {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Assessment, Answer, ItemNote, SectionScoreRow, ItemResult, Share)
    }
    return Seeded(
        seconds, index_seconds, cpu_seconds, jobs, organizations, assessments, rows, passwords
    )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_seconds() -> float | None:
    """CPU time every core of the machine has been busy since boot (``/proc/stat``), or None
    where there is no ``/proc``.

    The whole machine, because one dashboard request keeps several processes busy: this one,
    the PostgreSQL server process of each connection it uses, and the parallel workers those
    start for a moment (processes that come and go, which no per-process count catches).
    """
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    # cpu user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
    ticks = [int(value) for value in fields[1:9]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def machine_cpu_per_call(work: Callable[[], object], runs: int) -> float | None:
    """The machine's busy CPU time per call of ``work``, the mean over ``runs`` calls (the
    clock counts in ticks of 10 ms, too coarse for one call), or None without ``/proc``."""
    start = _machine_busy_seconds()
    if start is None:
        return None
    for _ in range(runs):
        work()
    end = _machine_busy_seconds()
    return None if end is None else (end - start) / runs


def already_seeded(session: Session) -> Seeded:
    """What an earlier run seeded, read back; the advocates of the timed states get a known
    password (the earlier run's were random and are gone)."""
    passwords: dict[str, tuple[str, str]] = {}
    for state in (LARGEST, SMALLER):
        user = session.scalar(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Organization, Organization.id == Membership.org_id)
            .where(Organization.kind == "state_advocate", Organization.state == state)
        )
        assert user is not None, f"no advocate in {state}: seed first (without --reuse)"
        user.password_hash = hash_password(REUSE_PASSWORD)
        passwords[state] = (user.email, REUSE_PASSWORD)
    session.commit()
    rows = {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Assessment, Answer, ItemNote, SectionScoreRow, ItemResult, Share)
    }
    organizations = session.scalar(
        select(func.count()).select_from(Organization).where(Organization.kind != "state_advocate")
    )
    return Seeded(0.0, 0.0, 0.0, 0, organizations or 0, rows["assessments"], rows, passwords)


def national_scope(session: Session, rubric_key: str, period: str) -> dict[int, str]:
    """Return the assessments a national page reads, with the state each one counts in.

    In scope: submitted assessments of the rubric and period with a live share to a state
    advocate of the organization's own state (what each state's dashboard reads, all at once).
    The advocates are read first (one per state) and "of its own state" is checked here: with
    that correlated condition in SQL, the planner misjudged how many rows it keeps and looped
    over every share.
    """
    # (A Result has keys(), so dict() would take it for a mapping: build from its rows.)
    advocates = dict(
        session.execute(
            select(Organization.id, Organization.state).where(Organization.kind == "state_advocate")
        ).all()
    )
    owner = aliased(Organization)
    rows = session.execute(
        select(Assessment.id, owner.state, Share.to_org_id)
        .join(Share, Share.assessment_id == Assessment.id)
        .join(owner, owner.id == Assessment.org_id)
        .where(
            Share.revoked_at.is_(None),
            Share.to_org_id.in_(list(advocates)),
            Assessment.status == "submitted",
            Assessment.rubric_key == rubric_key,
            Assessment.period == period,
        )
    )
    # An assessment shared with two advocates of its state still counts once.
    return {
        int(assessment_id): str(state)
        for assessment_id, state, advocate_id in rows
        if advocates[advocate_id] == state
    }


def _ids_table(ids: Sequence[int]) -> Any:
    """The ids as a set-returning function: the planner joins them to the assessment-id index
    one by one, where a long "= ANY" list made it scan the whole table."""
    return select(
        func.unnest(bindparam("ids", list(ids), type_=ARRAY(Integer))).label("id")
    ).subquery()


def item_counts(engine: Engine, ids: Sequence[int]) -> list[tuple[str, str, int, int]]:
    """Return (item, dimension, rated, fully in place) over the assessments ``ids``, on a
    connection of its own (one part of the national roll-up, in a worker thread)."""
    scope = _ids_table(ids)
    with Session(engine) as session:
        rows = session.execute(
            select(
                ItemResult.item_id,
                ItemResult.dimension,
                func.count(),
                func.sum(case((ItemResult.full.is_(True), 1), else_=0)),
            )
            .join(scope, scope.c.id == ItemResult.assessment_id)
            .where(ItemResult.dimension != PAIR_DIMENSION)
            .group_by(ItemResult.item_id, ItemResult.dimension)
        )
        return [(str(item), str(dim), int(n), int(full or 0)) for item, dim, n, full in rows]


def national_rollup(
    session: Session, rubric_key: str, period: str, *, parts: int = 2
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The figures of a national page: per state and per item, over every state's shares.

    Returns (state, assessments, mean overall percent) rows and (item, dimension, rated, fully
    in place) rows over ``national_scope``. The scope is read first and handed to the grouped
    queries as an id list, so each reads only those assessments' rows through the
    assessment-id index. The item counts (about two million rows at full size) are split into
    ``parts`` runs of ids on as many connections at once, and added up here: the grouping is
    CPU work, and one query uses one core.
    """
    scope = national_scope(session, rubric_key, period)
    ids = sorted(scope)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    size = -(-len(ids) // parts) if ids else 1
    with ThreadPoolExecutor(max_workers=parts, thread_name_prefix="national") as pool:
        pending = [
            pool.submit(item_counts, engine, ids[start : start + size])
            for start in range(0, len(ids), size)
        ]
        in_scope = _ids_table(ids)
        overall = session.execute(
            select(SectionScoreRow.assessment_id, SectionScoreRow.percent)
            .join(in_scope, in_scope.c.id == SectionScoreRow.assessment_id)
            .where(SectionScoreRow.section_id == "_overall", SectionScoreRow.dimension == "_all")
        )
        sums: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        for assessment_id, percent in overall:
            state = scope[assessment_id]
            counts[state] = counts.get(state, 0) + 1
            if percent is not None:  # as avg() does: a score held back for coverage is left out
                sums.setdefault(state, []).append(float(percent))
        by_state = [
            (state, counts[state], sum(sums[state]) / len(sums[state]) if sums.get(state) else None)
            for state in sorted(counts)
        ]
        totals: dict[tuple[str, str], list[int]] = {}
        for part in pending:
            for item, dimension, rated, full in part.result():
                total = totals.setdefault((item, dimension), [0, 0])
                total[0] += rated
                total[1] += full
    by_item = [(item, dim, rated, full) for (item, dim), (rated, full) in sorted(totals.items())]
    return by_state, by_item


@dataclass(frozen=True)
class Export:
    state: str
    rows: int
    seconds: float
    peak_bytes: int


def measure_export(client: Any, state: str) -> Export:
    """Stream the state's CSV export; count its rows and take tracemalloc's peak meanwhile."""
    tracemalloc.start()
    start = time.perf_counter()
    response = client.get(f"/states/{state}/export.csv", buffered=False)
    if response.status_code != 200:
        raise RuntimeError(
            f"export of {state} answered {response.status_code} (withheld at this small scale?)"
        )
    lines = 0
    for chunk in response.response:
        lines += (chunk if isinstance(chunk, bytes) else chunk.encode()).count(b"\n")
    response.close()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Export(state, lines - 1, seconds, peak)  # minus the header line


@dataclass(frozen=True)
class PageSql:
    """Where one page request's time went: its SQL statements, their count and total time."""

    statements: int
    seconds: float
    slowest: float


def page_sql(app: Any, request: Callable[[], None]) -> PageSql:
    """Run one more page request and add up the time its SQL statements took."""
    durations: list[float] = []
    started: dict[int, float] = {}

    def before(conn: Any, *_: Any) -> None:
        started[id(conn)] = time.perf_counter()

    def after(conn: Any, *_: Any) -> None:
        durations.append(time.perf_counter() - started.pop(id(conn), time.perf_counter()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return PageSql(len(durations), sum(durations), max(durations, default=0.0))


@dataclass(frozen=True)
class Timings:
    sql: PageSql
    in_scope: int
    state_orgs: int
    page: float
    query: float
    tallies_query: float  # the item query without the one-level-up breakdowns
    national: float
    national_states: int
    national_assessments: int
    exports: tuple[Export, ...]
    #: The machine's busy CPU per page request and per main query (None without /proc).
    page_cpu: float | None = None
    query_cpu: float | None = None
    #: The page again with the same data: its figures kept from the view before.
    repeat: float = 0.0
    #: A view no process has counted yet: counted on the request.
    cold: float = 0.0


def largest_state_view(app: Any, session: Session) -> Scope:
    """The view the largest state's dashboard opens on, for its advocate: the newest period
    with enough organizations to be shown."""
    advocate_id = session.scalar(
        select(Organization.id).where(
            Organization.kind == "state_advocate", Organization.state == LARGEST
        )
    )
    assert advocate_id is not None
    periods = rollup.filter_options(session, Scope(advocate_id, LARGEST, LOCAL_RUBRIC)).periods
    period = next(p for p, n in periods if n >= app.config["SUPPRESSION_K"])
    return Scope(advocate_id, LARGEST, LOCAL_RUBRIC, Filters(period=period))


def time_views(app: Any, seeded: Seeded, runs: int) -> Timings:
    """Time the largest state's dashboard and main query, the national roll-up, the exports."""
    with app.app_context():
        session = db.session
        scope = largest_state_view(app, session)
        period = scope.filters.period
        state_orgs = (
            session.scalar(
                select(func.count())
                .select_from(Organization)
                .where(Organization.state == LARGEST, Organization.kind != "state_advocate")
            )
            or 0
        )
        versions = rollup.versions_in_scope(session, scope)
        in_scope = rollup.totals(session, scope)[1]
        # The query the page runs for its items (rollup.item_figures): the scope's item
        # results and, in the same pass, the views one level up for each filter the
        # small-number rule compares (none for the default view: it sets only a period,
        # see rollup.Filters.compared). The view's own item results alone are timed too.
        query = rollup.figures_query(
            session, scope, versions, in_scope, tuple(scope.filters.compared())
        )
        tallies_only = rollup.figures_query(session, scope, versions, in_scope)

        def main_query() -> None:
            session.execute(query).all()
            session.rollback()

        def tallies_query() -> None:
            session.execute(tallies_only).all()
            session.rollback()

        def national() -> None:
            national_rollup(session, LOCAL_RUBRIC, period)
            session.rollback()

        query_seconds = median_seconds(main_query, runs=runs, warmup=2)
        query_cpu = machine_cpu_per_call(main_query, runs)
        tallies_seconds = median_seconds(tallies_query, runs=runs, warmup=1)
        national_seconds = median_seconds(national, runs=runs, warmup=1)
        by_state, _ = national_rollup(session, LOCAL_RUBRIC, period)
        session.rollback()

    email, password = seeded.passwords[LARGEST]
    client = signed_in(app, email, password)

    def repeat_view() -> None:
        response = client.get(f"/states/{LARGEST}/dashboard")
        if response.status_code != 200:
            raise RuntimeError(f"dashboard answered {response.status_code}")

    with app.app_context():
        engine = db.engine

    def timed_view() -> float:
        start = time.perf_counter()
        repeat_view()
        return time.perf_counter() - start

    def cold_view() -> float:
        # A view no process has counted: a filter nobody chose yet, or a change the worker
        # has not counted yet. Nothing kept here or in the database (``states/figures.py``);
        # forgetting waits for the view before to be checked and kept, outside the clock.
        figures.forget_everywhere(app, engine)
        return timed_view()

    def first_view() -> float:
        # The first view after a change, as the advocate meets it: the change queued the job
        # that counts the advocate's default view (``states/figure_jobs.py``), a worker counted
        # it into the database, and the page comes to a process that kept nothing itself.
        figures.forget_everywhere(app, engine)
        with app.app_context():
            figure_jobs.count_ahead(db.session, scope.rubric_key, [scope.advocate_org_id])
        figure_cache.forget_figures(app)
        return timed_view()

    def page() -> None:
        # A view counted on the request, with the check that keeps its figures, run off the
        # request: its CPU and its statements are the counting's too.
        figures.forget_everywhere(app, engine)
        repeat_view()
        figure_cache.settle(app)

    for _ in range(2):
        cold_view()
        first_view()
    page_seconds = statistics.median(first_view() for _ in range(runs))
    cold_seconds = statistics.median(cold_view() for _ in range(runs))
    page_cpu = machine_cpu_per_call(page, runs)
    sql = page_sql(app, page)
    repeat_view()
    figure_cache.settle(app)
    repeat_seconds = median_seconds(repeat_view, runs=runs, warmup=2)
    exports = []
    for state in (SMALLER, LARGEST):
        email, password = seeded.passwords[state]
        exports.append(measure_export(signed_in(app, email, password), state))
    return Timings(
        sql,
        in_scope,
        state_orgs,
        page_seconds,
        query_seconds,
        tallies_seconds,
        national_seconds,
        len(by_state),
        sum(count for _, count, _ in by_state),
        tuple(exports),
        page_cpu,
        query_cpu,
        repeat_seconds,
        cold_seconds,
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _cpu_lines(timings: Timings) -> list[str]:
    """A view counted on the request: its CPU and the main query's on the whole machine, and
    the least wall time the counting could take if every core did its work without a moment
    idle (why counting on the request cannot reach 1.5x on a small machine)."""
    if timings.page_cpu is None or timings.query_cpu is None or not timings.query:
        return []
    cores = os.cpu_count() or 1
    floor = timings.page_cpu / cores
    return [
        f"| ... CPU per counted view, the whole machine (this process and every PostgreSQL "
        f"process, parallel workers included, and the check that keeps the figures, run after the "
        f"request; mean of the runs) | view {format_seconds(timings.page_cpu)}, "
        f"main query alone {format_seconds(timings.query_cpu)} | | |",
        f"| ... least wall time that CPU allows on {cores} cores "
        f"({format_seconds(timings.page_cpu)} / {cores}), against the main query alone | "
        f"{format_seconds(floor)} ({floor / timings.query:.2f}x) | | |",
    ]


def report(scale: float, seeded: Seeded, timings: Timings, runs: int) -> str:
    """The BENCHMARKS.md section: what ran, each aim with its figure, and the machine."""
    full_seconds = seeded.seconds / scale
    ratio = timings.page / timings.query if timings.query else float("inf")
    repeat_ratio = timings.repeat / timings.query if timings.query else float("inf")
    cold_ratio = timings.cold / timings.query if timings.query else float("inf")
    small, large = timings.exports
    per_row = (large.peak_bytes - small.peak_bytes) / max(1, large.rows - small.rows)
    rows = ", ".join(f"{name} {count:,}" for name, count in seeded.rows.items())
    seed_line = (
        f"| Seed (bulk path, COPY; of which {seeded.index_seconds:.0f} s making the indexes and "
        f"foreign keys after the load) | {seeded.seconds:.0f} s"
    )
    if not seeded.jobs:
        seed_line = "| Seed | not in this run (--reuse: timed an earlier run's data) | | |"
    elif scale < 1:
        seed_line += f" (x{1 / scale:.0f} = {full_seconds:.0f} s at full size, linear)"
    if seeded.jobs:
        seed_line += (
            f"; {seeded.jobs} processes, their CPU {seeded.cpu_seconds:.0f} s | at most 600 s | "
            f"{_verdict(full_seconds <= 600)} |"
        )
    lines = [
        f"Last run: {dt.date.today().isoformat()}, {machine_note()}, PostgreSQL "
        f"(shared with the other work on the machine), scale {scale:g} "
        f"({seeded.organizations:,} organizations, {seeded.assessments:,} assessments over "
        f"{len(PERIODS)} periods; rows: {rows}). Medians of {runs} runs.",
        "",
        "| What | Measured | Aim | Verdict |",
        "|---|---:|---|---|",
        seed_line,
        f"| Dashboard of the largest state ({LARGEST}, {timings.state_orgs:,} organizations, "
        f"{timings.in_scope:,} assessments in the default view), first view after a change "
        f"(the change queued the count of the advocate's default view, a worker counted it "
        f"into the database, and the page comes to a process that kept nothing itself) | "
        f"{format_seconds(timings.page)} | at most 300 ms | {_verdict(timings.page <= 0.3)} |",
        f"| ... against its main grouped query alone (the item results of the view and of the "
        f"views one level up for each filter the small-number rule compares: none when the "
        f"view sets only its period) | "
        f"{format_seconds(timings.query)} ({ratio:.2f}x) | at most 1.5x | "
        f"{_verdict(ratio <= 1.5)} |",
        f"| ... (for comparison: the view's own item results alone) | "
        f"{format_seconds(timings.tallies_query)} | | |",
        f"| The same view when no process has counted it yet (a filter nobody chose yet, or a "
        f"change the worker has not counted yet): counted on the request | "
        f"{format_seconds(timings.cold)} ({cold_ratio:.2f}x the main query) | "
        f"at most 300 ms and 1.5x | 300 ms {_verdict(timings.cold <= 0.3)}, "
        f"1.5x {_verdict(cold_ratio <= 1.5)} |",
        f"| ... where that counting's time goes (with the check that keeps its figures) | "
        f"{timings.sql.statements} SQL statements, "
        f"{format_seconds(timings.sql.seconds)} in total (slowest "
        f"{format_seconds(timings.sql.slowest)}); the rest is Python and the template | | |",
        *_cpu_lines(timings),
        f"| Dashboard of the largest state, a later view of the same data (its figures kept "
        f"from the first; the base rows, the participants page and the template run again) | "
        f"{format_seconds(timings.repeat)} ({repeat_ratio:.2f}x the main query) | "
        f"at most 300 ms and 1.5x | {_verdict(timings.repeat <= 0.3 and repeat_ratio <= 1.5)} |",
        f"| National roll-up ({timings.national_states} states, "
        f"{timings.national_assessments:,} assessments, per state and per item) "
        f"| {format_seconds(timings.national)} | at most 2 s | "
        f"{_verdict(timings.national <= 2)} |",
    ]
    for export in timings.exports:
        lines.append(
            f"| CSV export of {export.state} ({export.rows:,} rows) streamed, "
            f"tracemalloc peak | {export.peak_bytes / 1e6:.1f} MB in "
            f"{format_seconds(export.seconds)} | flat in rows | |"
        )
    lines.append(
        f"| ... peak growth per extra row ({small.rows:,} -> {large.rows:,} rows) | "
        f"{per_row:.1f} bytes/row | flat (about 0) | "
        f"{_verdict(per_row < 50)} |"
    )
    return "\n".join(lines)


#: The bench's app: cheap password hashes (hundreds of advocates are made); jobs run inside
#: the call that queues them, as one worker would run them at once (the first view timed is
#: the one after that worker has counted the view).
_APP_SETTINGS: dict[str, Any] = {
    "ARGON2_PROFILE": "CHEAPEST",
    "JOBS_IMMEDIATE": True,
    "FIGURES_PREPARE_ON_CHANGE": True,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="a throwaway PostgreSQL database (emptied first); default: BENCH_DATABASE_URL",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the country")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="seeding processes (default: cores)"
    )
    parser.add_argument("--no-record", action="store_true", help="print only")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time an already seeded database (an earlier run's) without seeding again",
    )
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        parser.error("needs a throwaway PostgreSQL database: --database-url or BENCH_DATABASE_URL")
    if not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    with tempfile.TemporaryDirectory() as folder:
        if args.reuse:
            app = plain_app(Path(folder), **_APP_SETTINGS)
            with app.app_context():
                seeded = already_seeded(db.session)
        else:
            app = bench_app(Path(folder), **_APP_SETTINGS)
            with app.app_context():
                print(f"Seeding at scale {args.scale:g} ...", flush=True)
                seeded = seed_country(db.session, Path(folder), args.scale, args.jobs)
                # The demo advocate of Ohio keeps the demo password (seed_state reuses it).
                seeded.passwords.setdefault(DEMO_STATE, ("advocate@buckeye.example.org", PASSWORD))
                print(
                    f"Seeded {seeded.assessments} assessments in {seeded.seconds:.0f} s: "
                    f"{seeded.rows}",
                    flush=True,
                )
        # Fresh tables: statistics and the visibility map (index-only scans), as autovacuum
        # gives an insert-heavy table in production. VACUUM cannot run in a transaction.
        with app.app_context(), db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
        timings = time_views(app, seeded, args.runs)
        with app.app_context():
            db.engine.dispose()
    body = report(args.scale, seeded, timings, args.runs)
    print(body)
    if not args.no_record:
        write_section("national", "make bench-national", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
