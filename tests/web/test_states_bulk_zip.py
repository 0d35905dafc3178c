"""'Download all reports' on the state dashboard: a background ZIP of exactly the reports the
advocate may see for the chosen filters, with a link that only its requester can open and
that expires.

Ohio: two districts share their 2025-26 review with the advocate and agree to be named; one
shares without agreeing to be named; one revoked its share; one shared only last period's
review; one never submitted. Only the two named 2025-26 reports belong in the ZIP.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from pypdf import PdfReader
from reports_fixtures import make_assessment
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import membership_of, remove_member
from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.jobs.files import files_dir
from rubric_app.jobs.models import Job
from rubric_app.models import Assessment, Organization, Share

ADVOCATE = "advocate@buckeye.example.org"
INCLUDED = ("Alder Creek Local Schools", "Birch Valley City Schools")
EXCLUDED = (
    "Unnamed Hollow Schools",
    "Revoked Ridge Schools",
    "Last Year Lake Schools",
    "Draft Meadow Schools",
)
DASHBOARD = "/states/OH/dashboard?rubric=secure-local-implementation&period=2025-26"
ZIP_URL = "/states/OH/reports.zip?rubric=secure-local-implementation&period=2025-26"


def _district(
    session: Session,
    name: str,
    advocate: Organization,
    *,
    named: bool = True,
    period: str = "2025-26",
    revoke: bool = False,
    submitted: bool = True,
) -> None:
    org = make_org(session, name, state="OH")
    owner = make_user(session, f"owner@{name.split()[0].lower()}.example.org", org)
    assessment = make_assessment(session, org, owner, period=period, submitted=submitted)
    if submitted:
        share = share_assessment(session, assessment, advocate, by=owner, named=named)
        if revoke:
            revoke_share(session, share, by=owner)
    session.commit()


@pytest.fixture
def ohio(session: Session) -> Organization:
    advocate = make_org(session, "Buckeye Youth Justice Coalition", kind="state_advocate")
    make_user(session, ADVOCATE, advocate)
    for name in INCLUDED:
        _district(session, name, advocate)
    _district(session, EXCLUDED[0], advocate, named=False)
    _district(session, EXCLUDED[1], advocate, revoke=True)
    _district(session, EXCLUDED[2], advocate, period="2024-25")
    _district(session, EXCLUDED[3], advocate, submitted=False)
    return advocate


def _start_zip(client: FlaskClient) -> int:
    page = client.get(DASHBOARD)
    html = page.get_data(as_text=True)
    assert "Download all reports (ZIP)" in html
    response = client.post(ZIP_URL, data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/jobs/")
    return int(location.rsplit("/", 1)[1])


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_the_zip_holds_exactly_the_reports_the_advocate_may_see(
    client: FlaskClient, session: Session, ohio: Organization
) -> None:
    signin(client, ADVOCATE)
    job_id = _start_zip(client)
    status = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Ready" in status
    assert f'href="/jobs/{job_id}/file"' in status
    # What the file holds, and the way back to the view it was asked from.
    assert "<h1>The state&#39;s reports, in one ZIP</h1>" in status
    assert "2 reports in one ZIP: the report of each organization listed by name" in status
    back = DASHBOARD.replace("&", "&amp;")
    assert f'<a href="{back}">Back to the Ohio dashboard</a>' in status
    download = client.get(f"/jobs/{job_id}/file")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    assert (
        "oh-secure-local-implementation-2025-26-reports.zip"
        in (download.headers["Content-Disposition"])
    )
    bundle = zipfile.ZipFile(io.BytesIO(download.data))
    assert sorted(bundle.namelist()) == [
        "alder-creek-local-schools-2025-26-report.pdf",
        "birch-valley-city-schools-2025-26-report.pdf",
    ]
    titles = sorted(
        PdfReader(io.BytesIO(bundle.read(name))).metadata.title or "" for name in bundle.namelist()
    )
    assert [title.split(":")[0] for title in titles] == list(INCLUDED)
    for excluded in EXCLUDED:
        assert excluded.split()[0].lower() not in " ".join(bundle.namelist())
    # Asking again while nothing changed returns the same job and file.
    assert _start_zip(client) == job_id
    assert session.scalar(select(func.count()).select_from(Job)) == 1


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_the_zip_link_is_only_for_its_requester_and_expires(
    client: FlaskClient, session: Session, ohio: Organization
) -> None:
    make_user(session, "colleague@buckeye.example.org", ohio)
    session.commit()
    signin(client, ADVOCATE)
    job_id = _start_zip(client)
    colleague = client.application.test_client()
    signin(colleague, "colleague@buckeye.example.org")
    assert colleague.get(f"/jobs/{job_id}").status_code == 404
    assert colleague.get(f"/jobs/{job_id}/file").status_code == 404

    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    assert job.expires_at is not None
    job.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    session.commit()
    expired = client.get(f"/jobs/{job_id}/file")
    assert expired.status_code == 410
    assert "The download link has expired" in expired.get_data(as_text=True)
    # Asking again makes a fresh ZIP under the same job.
    assert _start_zip(client) == job_id
    assert client.get(f"/jobs/{job_id}/file").status_code == 200


def test_no_zip_when_the_view_is_withheld(
    client: FlaskClient, session: Session, ohio: Organization
) -> None:
    """With K = 5 the two named districts are too few: no ZIP, back to the notice."""
    signin(client, ADVOCATE)
    token = csrf_from(client.get("/account").data)
    response = client.post(ZIP_URL, data={"csrf_token": token})
    assert response.status_code == 302
    assert "/states/OH/dashboard" in response.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_only_the_states_advocates_may_ask_for_the_zip(
    client: FlaskClient, session: Session, ohio: Organization
) -> None:
    signin(client, "owner@alder.example.org")
    token = csrf_from(client.get("/account").data)
    assert client.post(ZIP_URL, data={"csrf_token": token}).status_code == 404
    signin(client, ADVOCATE)
    assert client.post(ZIP_URL).status_code == 400
    assert session.scalar(select(func.count()).select_from(Job)) == 0


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_a_zip_is_no_longer_served_once_its_requester_left_the_advocate(
    client: FlaskClient, session: Session, ohio: Organization
) -> None:
    colleague = make_user(session, "colleague@buckeye.example.org", ohio)
    session.commit()
    signin(client, "colleague@buckeye.example.org")
    job_id = _start_zip(client)
    assert client.get(f"/jobs/{job_id}/file").status_code == 200
    membership = membership_of(session, colleague.id, ohio.id)
    assert membership is not None
    remove_member(session, membership, by=None)
    session.commit()
    assert client.get(f"/jobs/{job_id}/file").status_code == 410


@pytest.mark.parametrize("app_config", [{"SUPPRESSION_K": 1}])
def test_a_zip_is_withdrawn_once_a_report_in_it_is_no_longer_shared(
    client: FlaskClient, session: Session, ohio: Organization
) -> None:
    """A district stops sharing after the ZIP was made: the file holding its report is not
    served again (and is deleted), the page says why, and asking again leaves it out."""
    signin(client, ADVOCATE)
    job_id = _start_zip(client)
    assert client.get(f"/jobs/{job_id}/file").status_code == 200
    alder = session.scalar(select(Organization).where(Organization.name == INCLUDED[0]))
    share = session.scalar(select(Share).join(Assessment).where(Assessment.org_id == alder.id))
    revoke_share(session, share, by=None)
    session.commit()
    refused = client.get(f"/jobs/{job_id}/file")
    assert refused.status_code == 410
    page = refused.get_data(as_text=True)
    assert "This file was withdrawn" in page
    assert "No longer available" in page
    assert "2 reports in one ZIP" not in page
    assert f'href="/jobs/{job_id}/file"' not in page
    assert not list(files_dir(client.application).glob(f"job-{job_id}-*"))
    # The job's own page says so from then on, without offering the file.
    later = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "This file was withdrawn" in later
    assert f'href="/jobs/{job_id}/file"' not in later
    again = _start_zip(client)
    assert again != job_id
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"/jobs/{again}/file").data))
    assert bundle.namelist() == ["birch-valley-city-schools-2025-26-report.pdf"]
