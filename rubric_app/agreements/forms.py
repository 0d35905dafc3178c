"""The agreement upload form."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from rubric_app.form_base import Form


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
            Length(max=40, message="Keep the short name to 40 characters or fewer."),
        ],
    )
