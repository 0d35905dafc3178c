"""How organization names compare: the key under which two names count as the same.

Case, spacing and Unicode look-alike forms (NFKC) do not tell two organizations apart, so
"Buckeye  Youth Justice COALITION" clashes with "Buckeye Youth Justice Coalition". The key is
stored beside the name (``Organization.name_key``) so one unique index on both databases can
hold the rule; computing it here, not in SQL, keeps SQLite and PostgreSQL in agreement.
"""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """The comparison key of an organization name."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
