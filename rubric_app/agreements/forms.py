"""The agreements forms: upload a document, decide on a clause as evidence for an item."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from rubric_app.form_base import Form, LabelAllowed


class UploadForm(Form):
    """Upload one agreement document; its type is decided from the content, not the name."""

    file = FileField(
        "Agreement file (PDF, Word .docx or plain text)",
        validators=[FileRequired("Choose the agreement file to upload.")],
    )
    label = StringField(
        "Short name for citations",
        default="MOU",
        validators=[
            # Left empty, the document is cited as "MOU".
            Optional(),
            LabelAllowed(),
            Length(max=40, message="Keep the short name to 40 characters or fewer."),
        ],
    )


#: What the evidence buttons post as ``action``, and the decision each records (withdraw: none).
EVIDENCE_ACTIONS = {"accept": "accepted", "dismiss": "dismissed", "withdraw": ""}


class EvidenceForm(Form):
    """One decision on a clause for an item: "Use as evidence", "Not relevant" or "Remove"."""

    item_id = StringField("Item", validators=[DataRequired("Say which item."), Length(max=100)])
    # Text, not IntegerField: only ASCII digits, and the route checks the range (url_numbers).
    clause_id = StringField(
        "Clause",
        validators=[
            DataRequired("Say which clause."),
            Regexp(r"^[0-9]{1,10}$", message="A clause is named by its number."),
        ],
    )
    action = SelectField(
        "Decision",
        choices=[SelectChoice(key, key) for key in EVIDENCE_ACTIONS],
        validators=[DataRequired("Say what to do with the clause.")],
    )
