"""Agreements: the MOUs and procedures uploaded to an assessment, and the clauses read from them.

``operations`` is the only code that writes ``agreement_documents`` and ``agreement_clauses``;
``routes`` are the pages (list and upload, one document's clauses, delete). Reading the file is
the pure ``rubric_app.documents`` package.
"""
