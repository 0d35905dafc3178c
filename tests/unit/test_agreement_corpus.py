"""The test agreements read back from real PDF and DOCX files: pages, clause numbers, styles.

Harbor Valley's own checks are in ``test_documents_reading.py``; these cover the county
sheriff's "Article IV / Section 4.02" agreement and the plain-language "1." / "(a)" city MOU,
and the guard that keeps a PDF's wrapped cross-references ("... as set out in" / "Section
5.04, ...") from opening clauses.
"""

from __future__ import annotations

import pytest
from agreement_files import AGREEMENTS, HARBOR_VALLEY, MILLBROOK_CITY, TAMARACK_COUNTY, Agreement

from rubric_app.documents import DOCX, PDF, Page, read_document, split_clauses

NEW_AGREEMENTS = [TAMARACK_COUNTY, MILLBROOK_CITY]


def _key(agreement: Agreement, data: bytes) -> list[tuple[str, str, str]]:
    return [(c.number, c.heading, c.text) for c in read_document(data).clauses]


@pytest.mark.parametrize("agreement", list(AGREEMENTS.values()), ids=list(AGREEMENTS))
def test_each_agreement_prints_to_8_to_15_numbered_pages(agreement: Agreement) -> None:
    document = read_document(agreement.pdf())
    assert document.media_type == PDF
    assert 8 <= len(document.pages) <= 15
    assert [page.number for page in document.pages] == list(range(1, len(document.pages) + 1))
    # Each clause's page is the page its opening line is printed on, in document order.
    for clause in document.clauses:
        assert clause.page is not None
        printed = " ".join(document.pages[clause.page - 1].text.split())
        assert (clause.heading or clause.text)[:25] in printed, clause.number
    pages = [clause.page for clause in document.clauses]
    assert pages == sorted(pages)
    assert not any(" of " + str(len(document.pages)) in clause.text for clause in document.clauses)


@pytest.mark.parametrize("agreement", NEW_AGREEMENTS, ids=lambda a: a.file_name)
def test_pdf_docx_and_text_split_into_the_same_clauses(agreement: Agreement) -> None:
    from_text = _key(agreement, agreement.text().encode())
    assert len(from_text) > 50
    assert _key(agreement, agreement.pdf()) == from_text
    assert _key(agreement, agreement.docx()) == from_text
    numbers = [number for number, _, _ in from_text]
    assert len(numbers) == len(set(numbers)), "clause numbers are unique"


def test_county_agreement_keeps_articles_sections_and_lettered_lists() -> None:
    document = read_document(TAMARACK_COUNTY.pdf())
    by_number = {clause.number: clause for clause in document.clauses}
    article = by_number["Article VII"]
    assert article.heading == "INFORMATION SHARING AND STUDENT RECORDS"
    records = by_number["Section 7.02"]
    assert records.heading == "Access to education records"
    assert records.text.startswith("An SRD shall not be deemed a school official")
    # The inline "(a) ... (d)" of a long legal sentence stays inside its section ...
    assert "(b) in connection with a health or safety emergency" in records.text
    assert "Section 7.02(b)" not in by_number
    # ... while a list set out line by line gets sub-clause numbers.
    assert by_number["Section 6.02(c)"].text.startswith("fair and impartial policing")
    assert by_number["Section 6.02(f)"].text.endswith("on school property.")
    # Cross-references inside sentences never open a clause, wherever the line wraps.
    assert "under Section 5.04" in by_number["Section 2.05"].text
    # The recitals fill the first page; the numbered text runs to the last.
    assert by_number["Section 1.01"].page == by_number["Article I"].page > 1
    assert document.clauses[-1].number == "Section 12.05"
    assert "EXHIBIT B" in document.pages[-1].text
    assert [c.number for c in document.clauses if c.number.startswith("Article")] == [
        f"Article {roman}"
        for roman in ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
    ]


def test_plain_language_mou_numbers_parts_and_lettered_items() -> None:
    document = read_document(MILLBROOK_CITY.pdf())
    by_number = {clause.number: clause for clause in document.clauses}
    assert by_number["5"].heading == "Student records"
    assert by_number["5(b)"].text.startswith("Usually, the officer can only get directory")
    assert by_number["4"].heading == "Student behavior stays with the school"
    assert "student conduct code" in by_number["4(a)"].text
    assert by_number["1(a)"].page == 1
    assert "Mayor of the City of Millbrook" in " ".join(document.pages[-1].text.split())
    tops = [c.number for c in document.clauses if c.number.isdigit()]
    assert tops == [str(number) for number in range(1, 16)]


@pytest.mark.parametrize("agreement", NEW_AGREEMENTS, ids=lambda a: a.file_name)
def test_docx_of_each_agreement_has_no_pages(agreement: Agreement) -> None:
    document = read_document(agreement.docx())
    assert document.media_type == DOCX
    assert {clause.page for clause in document.clauses} == {None}


def test_harbor_valley_helpers_keep_their_names() -> None:
    from agreement_files import mou_docx, mou_paragraphs, mou_pdf, mou_text

    assert mou_text() == HARBOR_VALLEY.text()
    assert mou_paragraphs()[0] == "MEMORANDUM OF UNDERSTANDING"
    assert mou_pdf() is HARBOR_VALLEY.pdf()
    assert mou_docx() is HARBOR_VALLEY.docx()


# --- the wrapped-line guard ---------------------------------------------------------------------


def _printed(text: str) -> list[str]:
    return [c.number for c in split_clauses([Page(1, text)], wrapped_lines=True)]


def test_printed_line_starting_with_a_cross_reference_continues_the_sentence() -> None:
    text = (
        "Section 2.05 Review. The Sheriff shall review each assignment, taking into account\n"
        "Section 5.04 and the comments of the principal, before May 1.\n"
        "Section 2.06 Coverage. Substitutes meet the qualifications.\n"
    )
    assert _printed(text) == ["Section 2.05", "Section 2.06"]


def test_printed_line_starting_with_a_date_or_list_marker_continues_the_sentence() -> None:
    text = (
        "1. Term\n"
        "(a) This agreement starts when both sides have signed it and ends on June\n"
        "30. The Board decides each year whether to renew it, and the deputy shall\n"
        "(b) of the state code apply.\n"
        "(b) Either side may end it early; or\n"
        "(c) both may agree to amend it.\n"
    )
    assert _printed(text) == ["1", "1(a)", "1(b)", "1(c)"]


def test_headings_and_sentence_ends_let_the_next_line_open_a_clause() -> None:
    text = (
        "ARTICLE IV\nINFORMATION SHARING\nSection 4.01 Law. Records follow the law:\n"
        "(a) directory information; and\n(b) emergencies.\n5. Training\n5.1 Yearly.\n"
    )
    assert _printed(text) == [
        "Article IV",
        "Section 4.01",
        "Section 4.01(a)",
        "Section 4.01(b)",
        "5",
        "5.1",
    ]


def test_a_capitalised_line_cut_mid_sentence_is_not_a_heading() -> None:
    text = "3. Roles\n(c) The police department trains and supervises the school\nofficer.\n"
    (_, clause) = split_clauses([Page(1, text)], wrapped_lines=True)
    assert (clause.number, clause.heading, clause.text) == (
        "3(c)",
        "",
        "The police department trains and supervises the school officer.",
    )
    (_, heading) = split_clauses(
        [Page(1, "3. Roles\n(c) Training\nOfficers train.\n")], wrapped_lines=True
    )
    assert (heading.heading, heading.text) == ("Training", "Officers train.")


def test_a_heading_in_capitals_over_two_printed_lines_is_one_heading() -> None:
    text = (
        "ARTICLE III\nDUTIES OF THE PARTIES AND OF\nSCHOOL RESOURCE DEPUTIES\n"
        "Section 3.01 Duties.\n"
    )
    (article, _) = split_clauses([Page(1, text)], wrapped_lines=True)
    assert article.heading == "DUTIES OF THE PARTIES AND OF SCHOOL RESOURCE DEPUTIES"


def test_text_and_docx_lines_are_paragraphs_so_no_guard_applies() -> None:
    # A paragraph without a closing colon still introduces its list in a Word file.
    clauses = split_clauses([Page(None, "4.2 Sharing\nThe officer receives\n(a) directory data")])
    assert [c.number for c in clauses] == ["4.2", "4.2(a)"]
