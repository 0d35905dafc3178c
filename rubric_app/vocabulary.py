"""The app's closed vocabularies: every stored code, in display order, with its one wording.

Organization kinds, membership roles, enrollment bands, locales, SRO staffing models and rubric
audiences. The database's check constraints (``models``), the forms, the pages, the state
dashboard, its exports and the reports all read them here, so a term is worded once: the profile
and the dashboard both say "1,000 to 4,999 students". An organization kind has a singular
wording (one organization) and a plural one (a group of them: dashboard columns, export rows).
No Flask and no database here: plain read-only mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def _labels(pairs: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(pairs))


ORG_KIND_LABELS = _labels(
    {
        "district": "School district",
        "afterschool_program": "Afterschool program",
        "state_advocate": "State advocate",
        "college": "College or university",
    }
)
#: The same kinds, worded for a group of organizations of one kind.
ORG_KIND_GROUP_LABELS = _labels(
    {
        "district": "School districts",
        "afterschool_program": "Afterschool programs",
        "state_advocate": "State advocates",
        "college": "Colleges and universities",
    }
)
ORG_KINDS = tuple(ORG_KIND_LABELS)

ROLE_LABELS = _labels({"owner": "Owner", "editor": "Editor", "viewer": "Viewer"})
#: What each role may do, for the invitation form (lowest role first).
ROLE_DESCRIPTIONS = _labels(
    {
        "viewer": "reads assessments and reports",
        "editor": "also fills in, submits and shares assessments",
        "owner": "also manages members, the profile and the audit log",
    }
)
ROLES = tuple(ROLE_LABELS)

ENROLLMENT_BAND_LABELS = _labels(
    {
        "under_1k": "Fewer than 1,000 students",
        "1k_5k": "1,000 to 4,999 students",
        "5k_25k": "5,000 to 24,999 students",
        "over_25k": "25,000 students or more",
    }
)
ENROLLMENT_BANDS = tuple(ENROLLMENT_BAND_LABELS)

#: As in the NCES locale codes.
LOCALE_LABELS = _labels({"city": "City", "suburb": "Suburb", "town": "Town", "rural": "Rural"})
LOCALES = tuple(LOCALE_LABELS)

SRO_MODEL_LABELS = _labels(
    {
        "none": "No school resource officers",
        "district_police": "Own police department",
        "local_police": "City or county police",
        "sheriff": "Sheriff's office",
        "contracted": "Contracted security or officers",
        "mixed": "Mixed staffing",
    }
)
SRO_MODELS = tuple(SRO_MODEL_LABELS)

#: Who a rubric is written for (a rubric file's ``audience``); not the same codes as the kinds.
AUDIENCE_LABELS = _labels(
    {
        "district": "School districts",
        "afterschool_program": "Afterschool programs",
        "state": "States and local governments",
        "campus": "Colleges and universities",
    }
)


def choices(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, wording) pairs in display order, for a select."""
    return list(labels.items())
