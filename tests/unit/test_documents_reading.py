"""Reading uploaded agreements: content sniffing, extraction with pages, clause splitting."""

from __future__ import annotations

import ast
import io
import typing
import zipfile
from pathlib import Path

import pypdf
import pytest
from agreement_files import (
    docx_many_members,
    docx_zip_bomb,
    mou_docx,
    mou_pdf,
    mou_text,
    renamed_program,
    scanned_pdf,
)

from rubric_app import documents
from rubric_app.documents import (
    CODES,
    DOCX,
    PDF,
    TEXT,
    DocumentError,
    Limits,
    Page,
    read_document,
    sniff,
    split_clauses,
)


def refused(data: bytes, limits: Limits = documents.DEFAULT_LIMITS) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        read_document(data, limits)
    return caught.value


# --- sniffing: by content, never by name --------------------------------------------------


def test_sniff_recognises_each_supported_type_by_its_bytes() -> None:
    assert sniff(mou_pdf()) == PDF
    assert sniff(mou_docx()) == DOCX
    assert sniff(mou_text().encode()) == TEXT


def test_renamed_program_is_refused_as_unsupported() -> None:
    error = refused(renamed_program())
    assert error.code == "unsupported-type"
    assert "PDF" in error.message
    assert "Word" in error.message


@pytest.mark.parametrize(
    "data",
    [b"plain\x00text", "Vertrag \u00fcber".encode("latin-1"), b"\x1b[31mansi"],
    ids=["nul", "not-utf8", "control-char"],
)
def test_binary_or_non_utf8_text_is_refused(data: bytes) -> None:
    assert refused(data).code == "unsupported-type"


def test_zip_without_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert refused(buffer.getvalue()).code == "unsupported-type"


def test_empty_file_is_refused() -> None:
    assert refused(b"").code == "empty-file"


def test_size_limit_is_checked_on_the_bytes() -> None:
    over = b"a" * (20 * 1024 * 1024 + 1)
    error = refused(over)
    assert error.code == "file-too-large"
    assert "20 MB" in error.message
    assert sniff(b"a" * (20 * 1024 * 1024)) == TEXT


def test_docx_zip_bomb_is_refused_before_unpacking() -> None:
    bomb = docx_zip_bomb(unpacked_mb=200)
    assert len(bomb) < 1024 * 1024  # small on the wire, 200 MB unpacked
    error = refused(bomb)
    assert error.code == "zip-too-large"
    assert "200 MB" in error.message


def test_docx_with_too_many_members_is_refused() -> None:
    assert refused(docx_many_members(1001)).code == "zip-too-many-members"


def test_extract_pages_guards_zip_limits_on_its_own() -> None:
    with pytest.raises(DocumentError) as caught:
        documents.extract_pages(docx_zip_bomb(unpacked_mb=2), DOCX, Limits(max_unzipped_bytes=1024))
    assert caught.value.code == "zip-too-large"


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_keeps_page_numbers_and_clause_numbers() -> None:
    document = read_document(mou_pdf())
    assert document.media_type == PDF
    assert 8 <= len(document.pages) <= 15
    assert [page.number for page in document.pages] == list(range(1, len(document.pages) + 1))
    by_number = {clause.number: clause for clause in document.clauses}
    information = by_number["5.2"]
    assert information.heading == "Routine access"
    assert information.text.startswith("In the ordinary course, the SRO may receive only directory")
    # Each clause's page is the page its opening line is printed on.
    for clause in document.clauses:
        assert clause.page is not None
        printed = " ".join(document.pages[clause.page - 1].text.split())
        assert (clause.heading or clause.text)[:25] in printed, clause.number
    assert by_number["1.1"].page == 1
    assert by_number["14"].page == len(document.pages)
    pages = [clause.page for clause in document.clauses]
    assert pages == sorted(pages)


def test_pdf_page_footers_are_not_clause_text() -> None:
    document = read_document(mou_pdf())
    assert "Page 2 of" in document.pages[1].text
    assert not any("Page 2 of" in clause.text for clause in document.clauses)


def test_all_three_formats_split_into_the_same_clauses() -> None:
    from_text = read_document(mou_text().encode()).clauses
    from_pdf = read_document(mou_pdf()).clauses
    from_docx = read_document(mou_docx()).clauses
    assert len(from_text) > 70
    key = [(c.number, c.heading, c.text) for c in from_text]
    assert [(c.number, c.heading, c.text) for c in from_pdf] == key
    assert [(c.number, c.heading, c.text) for c in from_docx] == key


def test_scan_without_text_layer_is_refused_with_a_clear_message() -> None:
    error = refused(scanned_pdf(pages=2))
    assert error.code == "no-text-layer"
    assert "scan" in error.message
    assert "OCR" in error.message


def test_damaged_pdf_is_refused() -> None:
    assert refused(b"%PDF-1.7\nnot really a pdf").code == "unreadable-pdf"


def test_password_protected_pdf_is_refused() -> None:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(mou_pdf()))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refused(buffer.getvalue()).code == "encrypted-pdf"


def test_pdf_page_limit() -> None:
    assert refused(mou_pdf(), Limits(max_pages=3)).code == "too-many-pages"


# --- DOCX and text ----------------------------------------------------------------------------


def test_docx_has_no_pages_and_keeps_paragraph_order() -> None:
    document = read_document(mou_docx())
    assert document.media_type == DOCX
    assert {clause.page for clause in document.clauses} == {None}
    numbers = [clause.number for clause in document.clauses]
    assert numbers.index("4.2") < numbers.index("5.1") < numbers.index("12.4")


def test_docx_table_cells_are_read() -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("9. Data")
    table = word.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Arrests"
    table.cell(0, 1).text = "reported each semester"
    buffer = io.BytesIO()
    word.save(buffer)
    (clause,) = read_document(buffer.getvalue()).clauses
    assert clause.text == "Arrests reported each semester"


def test_docx_with_damaged_xml_is_refused() -> None:
    original = zipfile.ZipFile(io.BytesIO(mou_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as damaged:
        for member in original.infolist():
            data = original.read(member.filename)
            if member.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut off mid-element
            damaged.writestr(member.filename, data)
    assert refused(buffer.getvalue()).code == "unreadable-docx"


def test_truncated_pdf_is_refused() -> None:
    assert refused(mou_pdf()[:2000]).code == "unreadable-pdf"


def test_text_with_form_feeds_has_numbered_pages() -> None:
    document = read_document(b"1. Purpose\nSafety.\f2. Term\nThree years.")
    assert [(c.number, c.page) for c in document.clauses] == [("1", 1), ("2", 2)]


def test_whitespace_only_text_is_refused() -> None:
    assert refused(b"  \n\n \t ").code == "no-text"


# --- clause splitting -------------------------------------------------------------------------


def split(text: str) -> list[tuple[str, str, str]]:
    return [(c.number, c.heading, c.text) for c in split_clauses([Page(None, text)])]


def test_articles_sections_and_headings_on_the_next_line() -> None:
    text = (
        "AGREEMENT\nARTICLE IV\nINFORMATION SHARING\nOfficers see directory data.\n"
        "Section 5. Training\nYearly."
    )
    assert split(text) == [
        ("", "", "AGREEMENT"),
        ("Article IV", "INFORMATION SHARING", "Officers see directory data."),
        ("Section 5", "Training", "Yearly."),
    ]


def test_sub_clauses_take_their_parents_number() -> None:
    text = (
        "4.2 Information sharing\nThe officer receives\n(a) directory information;\n"
        "(b) emergency records,\n(i) with approval;\n(ii) logged;\n(c) nothing else."
    )
    assert [number for number, _, _ in split(text)] == [
        "4.2",
        "4.2(a)",
        "4.2(b)",
        "4.2(b)(i)",
        "4.2(b)(ii)",
        "4.2(c)",
    ]


def test_letter_i_after_h_continues_the_list() -> None:
    text = "7. List\n" + "\n".join(f"({letter}) item {letter}" for letter in "abcdefghij")
    numbers = [number for number, _, _ in split(text)]
    assert numbers[-3:] == ["7(h)", "7(i)", "7(j)"]


def test_heading_is_split_from_text_at_the_first_full_stop() -> None:
    assert split("2.1 Scope. Buses and grounds.") == [("2.1", "Scope", "Buses and grounds.")]
    # A sentence after the number is text, not a heading.
    long_sentence = (
        "2.2 the officer shall attend every meeting of the safety committee held during the year."
    )
    assert split(long_sentence) == [("2.2", "", long_sentence[4:])]


def test_numbers_inside_sentences_do_not_open_clauses() -> None:
    assert split("1. Term\nThe term is\n30 days after signature.") == [
        ("1", "Term", "The term is 30 days after signature."),
    ]


# --- the package itself -----------------------------------------------------------------------


def test_every_error_code_is_documented() -> None:
    assert set(typing.get_args(documents.ErrorCode)) == set(CODES)


def test_package_is_pure() -> None:
    package = Path(documents.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0
        }
        assert not imported & {"flask", "sqlalchemy", "rubric_app"}, module.name
