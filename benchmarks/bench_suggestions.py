"""Benchmark the suggested passages: top-3 recall against labelled test agreements, and the time
to extract and index the longest agreement.

The labels (``tests/agreements/labels.yaml``, kept apart from the rubrics' ``look_for`` lists
so the method is never tuned to them) say which clause numbers answer which item::

    agreements:
      - file: harbor_valley_mou.txt        # in tests/agreements/
        rubric: secure-local-implementation
        labels:
          mou-roles-responsibilities: ["3.1", "3.2"]

For each agreement its printed PDF (built by the tests' ``agreement_files``, as a district would
upload it) is read with ``rubric_app.documents.read_document``, its clauses indexed, and every
labelled item asked for its top 3 with its prompt and ``look_for``; an item counts as found when
any labelled clause (or a sub-clause of one) is among them. The timing reads and indexes the PDF
of the longest listed agreement (most pages), against splitting the same agreement's plain text
into lines in the same run.
Run: ``python benchmarks/bench_suggestions.py [--labels PATH]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from _report import Result, median_seconds, record

# The test agreements and their PDF builders live with the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from agreement_files import AGREEMENTS as AGREEMENT_FILES

from rubric_app.documents import read_document
from rubric_app.documents.recall import Recall, top_k_recall
from rubric_app.documents.retrieval import Passage, build_index, suggest
from rubric_app.rubrics.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
AGREEMENTS = ROOT / "tests" / "agreements"
LABELS = AGREEMENTS / "labels.yaml"
RUNS = 10
K = 3


def _passages(data: bytes) -> list[Passage]:
    document = read_document(data)
    return [
        Passage(position, clause.number, clause.heading, clause.text, clause.page)
        for position, clause in enumerate(document.clauses)
    ]


def _recall_of(entry: dict[str, Any], rubrics: dict[str, Any], folder: Path) -> Recall:
    rubric = rubrics[entry["rubric"]]
    passages = _passages(_pdf_of(entry["file"], folder))
    index = build_index(passages)
    numbers = {passage.key: passage.number for passage in passages}
    labels: dict[str, list[str]] = {
        str(item_id): [str(number) for number in clauses]
        for item_id, clauses in (entry.get("labels") or {}).items()
    }
    suggested = {}
    for item_id in labels:
        item = rubric.item(item_id)
        found = suggest(index, item.prompt, item.look_for, k=K)
        suggested[item_id] = [numbers[s.key] for s in found]
    return top_k_recall(labels, suggested, k=K)


def _pdf_of(file_name: str, folder: Path) -> bytes:
    """The agreement as the PDF a district would upload (the tests' printer), else its file."""
    agreement = AGREEMENT_FILES.get(file_name)
    return agreement.pdf() if agreement is not None else (folder / file_name).read_bytes()


def _pages(data: bytes) -> int:
    document = read_document(data)
    return sum(1 for page in document.pages if page.number is not None) or len(document.pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args(argv)
    labels_path: Path = args.labels
    if not labels_path.exists():
        print(f"no labels file ({labels_path.name}): nothing to measure yet")
        return 0
    entries = list(
        (yaml.safe_load(labels_path.read_text(encoding="utf-8")) or {}).get("agreements", [])
    )
    if not entries:
        print(f"{labels_path.name} lists no agreements: nothing to measure")
        return 0
    folder = labels_path.parent
    rubrics = dict(load_catalog(ROOT / "rubrics").rubrics)
    total = Recall(0, 0, ())
    for entry in entries:
        recall = _recall_of(entry, rubrics, folder)
        total = total + recall
        missed = f"; missed: {', '.join(recall.missed)}" if recall.missed else ""
        print(
            f"{entry['file']}: top-{K} recall {recall.value:.2f} "
            f"({recall.found}/{recall.labelled}){missed}"
        )
    print(f"overall: top-{K} recall {total.value:.2f} ({total.found}/{total.labelled})")

    pdfs = {entry["file"]: _pdf_of(entry["file"], folder) for entry in entries}
    timed = max(pdfs, key=lambda name: _pages(pdfs[name]))
    data = pdfs[timed]
    document = read_document(data)
    pages = _pages(data)
    text = (folder / timed).read_bytes()

    def extract_and_index() -> object:
        # Not _passages: it is cached, and this must read the file every time.
        clauses = read_document(data).clauses
        return build_index(
            [Passage(n, c.number, c.heading, c.text, c.page) for n, c in enumerate(clauses)]
        )

    def read_and_split() -> object:
        return text.splitlines()

    passages = _passages(data)
    seconds = median_seconds(extract_and_index, runs=RUNS, warmup=1)
    # The index alone, so the row shows what reading the PDF costs apart from BM25.
    index_seconds = median_seconds(lambda: build_index(passages), runs=RUNS * 2)
    baseline = median_seconds(read_and_split, runs=RUNS * 5)
    print(
        f"extract + index {timed} as PDF ({pages} pages): {seconds:.3f} s "
        f"(index alone {index_seconds * 1000:.0f} ms)"
    )
    record(
        [
            Result(
                "Suggestions: extract + index the longest test agreement",
                seconds,
                "split the same agreement's plain text into lines",
                baseline,
                runs=RUNS,
                note=(
                    f"{timed} as PDF, {pages} pages, {len(document.clauses)} clauses, "
                    f"index alone {index_seconds * 1000:.0f} ms; "
                    f"top-{K} recall {total.value:.2f} ({total.found}/{total.labelled} items, "
                    f"{len(entries)} agreements); aims: recall >= 0.8, under 1 s"
                ),
            )
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
