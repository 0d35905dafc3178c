"""``BoundedCache``: a bounded, thread-safe mapping for what a worker process keeps in memory.

Caches of rendered parts and compiled rules live as long as a worker process. Keyed by what
can come and go (a rubric object, a report's revision), an unbounded dict would only grow in a
long-running worker; a gunicorn worker also serves requests on several threads, and
``cachetools.LRUCache`` alone is not safe for that. The report page's kept bodies, the item
text rules and the rendered item introductions use it.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A thread-safe least-recently-used mapping that keeps at most ``size`` entries
    (``cachetools.LRUCache``, which is not thread-safe by itself, behind a lock)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: LRUCache[K, V] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """Return the entry under ``key`` (now the most recently used), or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entry beyond ``size``."""
        with self._lock:
            self._entries[key] = value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
