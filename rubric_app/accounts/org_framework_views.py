"""The organization page's "Funding conditions" form: which federal frameworks its reports check.

Owners (``rubric_app.access`` "edit_profile") tick the funding conditions that apply to their
organization, such as the COPS Hiring Program's; its reports then judge them beside the state's
law. Only frameworks of jurisdiction "federal" that loaded are offered; any other id posted is
refused with a message and nothing is changed.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from wtforms.fields import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from rubric_app.access import org_or_404
from rubric_app.accounts.blueprint import bp
from rubric_app.accounts.org_frameworks import added_framework_ids, set_added_frameworks
from rubric_app.auth_session import current_org
from rubric_app.db import db
from rubric_app.form_base import Form
from rubric_app.framework_state import current_frameworks
from rubric_app.frameworks.model import FEDERAL
from rubric_app.models import Organization, User

__all__ = ["FrameworksForm", "frameworks_form"]


class FrameworksForm(Form):
    """Checkboxes of the federal frameworks (prefix "frameworks": the page has other forms)."""

    frameworks = SelectMultipleField(
        "Funding conditions your reports check",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


def _choices() -> list[tuple[str, str]]:
    return [(f.id, f.title) for f in current_frameworks().for_jurisdiction(FEDERAL)]


def frameworks_form(org: Organization, *, formdata: bool = False) -> FrameworksForm:
    """The form, ticked as stored (``formdata``: read the posted values instead)."""
    form = (
        FrameworksForm(prefix="frameworks")
        if formdata
        else FrameworksForm(
            formdata=None,
            prefix="frameworks",
            frameworks=list(added_framework_ids(db.session, org.id)),
        )
    )
    form.frameworks.choices = _choices()
    return form


@bp.post("/organization/frameworks")
@login_required
def organization_frameworks() -> ResponseReturnValue:
    """Save which funding conditions the organization's reports check (owners)."""
    current = current_org()
    if current is None:
        return redirect(url_for("accounts.new_organization"))
    org = org_or_404(db.session, current_user, current.id, "edit_profile")
    form = frameworks_form(org, formdata=True)
    target = url_for("accounts.organization") + "#funding-conditions"
    if not form.validate_on_submit():
        # A fixed message: the posted values are never echoed (they may be anything).
        flash(
            "Nothing was changed: tick only the funding conditions listed, then save again."
            if form.frameworks.errors
            else "The form had expired; nothing was changed. Try again.",
            "error",
        )
        return redirect(target)
    me = db.session.get(User, current_user.id)
    assert me is not None
    added, removed = set_added_frameworks(db.session, org, form.frameworks.data or [], by=me)
    db.session.commit()
    if added or removed:
        flash("Saved: your reports check the funding conditions ticked.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(target)
