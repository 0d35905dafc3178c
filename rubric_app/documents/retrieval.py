"""Rank an agreement's clauses for one rubric item: BM25, explainable, never a rating.

A clause is indexed by its heading and text; an item asks with its prompt plus its ``look_for``
phrases (what MOUs call the topic). Words are lower-cased, stop words dropped and the rest
reduced to their Snowball English stem, so "complaints" finds "complaint". The score of a clause
is plain BM25 (``bm25s``) summed over the query's distinct stems, where a stem the item's
``look_for`` list uses counts once more than a stem only the prompt uses (the list is the
topic's vocabulary, the prompt is a question in general words), and a clause's heading counts
twice (it names the clause's topic). A ``look_for`` phrase found
whole in the clause (its words next to each other, stop words aside) doubles its words' part of
the score, so "code of conduct" outranks a clause that has "code" and "conduct" apart. Every
suggestion says which words and phrases matched: the user sees why, and decides.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import bm25s
import numpy as np
import snowballstemmer

#: Words too common to say anything about a topic (function words of rubric prompts and MOUs).
STOP_WORDS = frozenset((
    "a", "about", "above", "after", "again", "all", "also", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "done", "each", "either", "for", "from", "had", "has", "have", "having",
    "how", "if", "in", "into", "is", "it", "its", "itself", "may", "might", "more", "most", "must",
    "no", "nor", "not", "of", "on", "or", "other", "our", "out", "over", "own", "same", "shall",
    "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "under", "until", "up", "upon", "very",
    "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who", "whom",
    "why", "will", "with", "within", "without", "would", "you", "your", "yes",
))  # fmt: skip
#: How much more a ``look_for`` stem counts than a stem only the prompt uses (see the docstring).
LOOK_FOR_WEIGHT = 2.0
PROMPT_WEIGHT = 1.0
#: How many times a clause's heading is counted: "4.1 School discipline" is about discipline.
HEADING_REPEAT = 2

# Matched case-insensitively on the original text, so spans found in it are spans of the text.
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")


@dataclass(frozen=True)
class Passage:
    """A clause to search: ``key`` is the caller's id for it (the stored clause id)."""

    key: int
    number: str
    heading: str
    text: str
    page: int | None


@dataclass(frozen=True)
class Suggestion:
    """A clause worth reading for an item, with the words and phrases that matched it."""

    key: int
    score: float
    matched: tuple[str, ...]


@dataclass(frozen=True)
class PassageIndex:
    """The BM25 index of a set of passages, with each passage's stems in order (for phrases)."""

    keys: tuple[int, ...]
    stems: tuple[tuple[str, ...], ...]
    vocabulary: frozenset[str]
    bm25: bm25s.BM25 | None


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...


@lru_cache(maxsize=1)
def _stemmer() -> _Stemmer:
    stemmer: _Stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def _word(raw: str) -> str:
    """A matched word lower-cased, possessive "'s" dropped; empty if it is a stop word."""
    word = raw.lower().replace("\u2019", "'").removesuffix("'s")
    return "" if word in STOP_WORDS else word


def _words(text: str) -> list[str]:
    """Lower-cased words of ``text`` without stop words."""
    return [word for word in map(_word, _WORD.findall(text)) if word]


def stems(text: str) -> tuple[str, ...]:
    """The stems of ``text``'s content words, in order."""
    return tuple(_stem(word) for word in _words(text))


def build_index(passages: Sequence[Passage]) -> PassageIndex:
    """Index ``passages`` (heading and text) for :func:`suggest`."""
    passage_stems = tuple(stems(f"{p.heading} {p.text}") for p in passages)
    vocabulary = frozenset(stem for words in passage_stems for stem in words)
    bm25 = None
    if vocabulary:
        bm25 = bm25s.BM25()
        # A heading names the clause's topic: its words are indexed HEADING_REPEAT times. bm25s
        # builds its vocabulary from the token lists; an empty clause is an empty list.
        bm25.index(
            [
                [*stems(p.heading) * (HEADING_REPEAT - 1), *words]
                for p, words in zip(passages, passage_stems, strict=True)
            ],
            show_progress=False,
        )
    return PassageIndex(tuple(p.key for p in passages), passage_stems, vocabulary, bm25)


@dataclass(frozen=True)
class _Term:
    stem: str
    word: str
    weight: float


def _query_terms(prompt: str, look_for: Sequence[str]) -> list[_Term]:
    """Distinct query stems with the word shown for each and its weight."""
    terms: dict[str, _Term] = {}
    for phrase in look_for:
        for word in _words(phrase):
            stem = _stem(word)
            if stem not in terms:
                terms[stem] = _Term(stem, word, LOOK_FOR_WEIGHT)
    for word in _words(prompt):
        stem = _stem(word)
        if stem not in terms:
            terms[stem] = _Term(stem, word, PROMPT_WEIGHT)
    return list(terms.values())


def _phrases(look_for: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    """``look_for`` entries of two or more content words, with their stems."""
    found = []
    for phrase in look_for:
        phrase_stems = stems(phrase)
        if len(phrase_stems) >= 2:
            found.append((" ".join(phrase.lower().split()), phrase_stems))
    return found


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    width = len(phrase)
    return any(words[i : i + width] == phrase for i in range(len(words) - width + 1))


def suggest(
    index: PassageIndex,
    prompt: str,
    look_for: Sequence[str],
    *,
    k: int = 3,
    exclude: Collection[int] = (),
) -> list[Suggestion]:
    """The ``k`` best passages for an item, best first; only those with a score above 0.

    Passages whose key is in ``exclude`` (already decided on) are never returned. Equal scores
    keep document order.
    """
    if index.bm25 is None or k <= 0:
        return []
    terms = [term for term in _query_terms(prompt, look_for) if term.stem in index.vocabulary]
    if not terms:
        return []
    count = len(index.keys)
    term_scores = {term.stem: _scores(index.bm25, term.stem, count) for term in terms}
    total = np.zeros(count, dtype=np.float64)
    for term in terms:
        total += term.weight * term_scores[term.stem]
    phrase_hits: list[list[str]] = [[] for _ in range(count)]
    for label, phrase_stems in _phrases(look_for):
        if not all(stem in index.vocabulary for stem in phrase_stems):
            continue
        for position, words in enumerate(index.stems):
            if _contains(words, phrase_stems):
                phrase_hits[position].append(label)
                # Its words were counted at LOOK_FOR_WEIGHT; the whole phrase counts them again.
                total[position] += LOOK_FOR_WEIGHT * sum(
                    term_scores[s][position] for s in set(phrase_stems)
                )
    excluded = set(exclude)
    ranked = sorted(
        (p for p in range(count) if total[p] > 0 and index.keys[p] not in excluded),
        key=lambda p: (-total[p], p),
    )
    return [
        Suggestion(
            key=index.keys[p],
            score=round(float(total[p]), 6),
            matched=_matched(phrase_hits[p], terms, term_scores, p),
        )
        for p in ranked[:k]
    ]


def _scores(
    bm25: bm25s.BM25, stem: str, count: int
) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    scores = np.asarray(bm25.get_scores([stem]), dtype=np.float64)
    return scores if scores.shape == (count,) else np.zeros(count, dtype=np.float64)


def _matched(
    phrases: list[str],
    terms: Iterable[_Term],
    term_scores: dict[str, np.ndarray[tuple[int], np.dtype[np.float64]]],
    position: int,
) -> tuple[str, ...]:
    """The matched phrases, then the other matched words (as the query writes them)."""
    covered = {stem for phrase in phrases for stem in stems(phrase)}
    words = [
        term.word
        for term in terms
        if term_scores[term.stem][position] > 0 and term.stem not in covered
    ]
    return (*phrases, *words)


def highlight_spans(text: str, matched: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of ``text`` to mark: its words whose stem is one of ``matched``'s stems.

    The stems are compared, so "complaint" marks "complaints"; spans are in order and disjoint.
    """
    wanted = {stem for entry in matched for stem in stems(entry)}
    if not wanted:
        return []
    spans: list[tuple[int, int]] = []
    for found in _WORD.finditer(text):
        word = _word(found.group())
        if word and _stem(word) in wanted:
            spans.append((found.start(), found.start() + len(word)))
    return spans
