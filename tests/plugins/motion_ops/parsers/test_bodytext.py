import pytest

from motion_ops.parsers.bodytext import UnsupportedContent, extract_document_text, extract_publication_text
from tests.conftest import FIXTURES


def test_takes_the_al_paragraphs_in_order_with_whitespace_normalised():
    text = extract_publication_text((FIXTURES / "publication.xml").read_bytes())
    assert text.splitlines() == ["De Kamer,", "gehoord de beraadslaging,", "constaterende dat de dijken verhoogd moeten worden;",
                                 "zorg voor water;", "en gaat over tot de orde van de dag.", "Test"]


def test_a_publication_without_paragraphs_is_an_error():
    with pytest.raises(UnsupportedContent, match="no <al>"):
        extract_publication_text(b"<officiele-publicatie><metadata/></officiele-publicatie>")


def test_unknown_document_types_are_recorded_as_unsupported():
    with pytest.raises(UnsupportedContent, match="unsupported content type"):
        extract_document_text(b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_a_pdf_without_text_is_unsupported_not_a_crash():
    with pytest.raises(UnsupportedContent):
        extract_document_text(b"%PDF-1.4 not really a pdf", "application/pdf")
