import pytest

from devkit.standin.server import XML_BOMB
from motion_ops.parsers.feedpage import FeedFormatError, parse_page, skiptoken_of
from tests.conftest import FIXTURES

TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"


def _page(entity_xml: str, *, next_token: int | None = 11) -> bytes:
    nxt = f'<link rel="next" href="https://h/SyncFeed/2.0/Feed?skiptoken={next_token}&amp;category=Stemming" />' if next_token else ""
    return (f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{nxt}'
            f'<entry><title>x</title><link rel="next" href="https://h/SyncFeed/2.0/Feed?skiptoken=10&amp;category=Stemming" />'
            f'<content type="application/xml">{entity_xml}</content></entry></feed>').encode()


@pytest.mark.parametrize("prefix", ["tk", "ns1", ""])
def test_parses_a_stemming_whatever_the_namespace_prefix(prefix):
    p = f"{prefix}:" if prefix else ""
    decl = f'xmlns:{prefix}="{TK}"' if prefix else f'xmlns="{TK}" xmlns:tk="{TK}"'
    attr = f"{prefix}:" if prefix else "tk:"
    ent = (f'<{p}stemming {decl} id="S1" {attr}bijgewerkt="2008-11-12T14:40:12.1730000" {attr}verwijderd="false">'
           f'<{p}besluit ref="B1" /><{p}soort>Tegen</{p}soort><{p}fractieGrootte>9</{p}fractieGrootte>'
           f'<{p}sidActorLid xsi:nil="true" /><{p}fractie ref="F1" /></{p}stemming>')
    page = parse_page(_page(ent))
    (e,) = page.entities
    assert (e.category, e.id, e.deleted) == ("Stemming", "s1", False)
    assert e.fields == {"soort": "Tegen", "fractieGrootte": "9", "sidActorLid": None}
    assert e.refs == {"besluit": ["B1"], "fractie": ["F1"]}
    assert e.bijgewerkt == "2008-11-12T14:40:12.1730000"
    assert (e.skiptoken, page.next_skiptoken, page.resume) == (10, 11, False)


def test_a_tombstone_has_no_children_and_any_case_of_verwijderd(tmp_path):
    page = parse_page((FIXTURES / "zaak_page_ns1.xml").read_bytes())
    live, dead = page.entities
    assert live.fields["soort"] == "Motie" and live.fields["citeertitel"] is None and not live.deleted
    assert live.id == "aaaaaaaa-0000-4000-8000-000000000001"  # ids are normalised to lower case
    assert dead.deleted and dead.fields == {} and dead.refs == {}


def test_what_the_store_compares_ignores_the_feed_position_but_not_the_content():
    a = parse_page(_page(f'<stemming xmlns="{TK}" id="S1"><soort>Voor</soort></stemming>')).entities[0]
    b = parse_page(_page(f'<stemming xmlns="{TK}" id="S1"><soort>Voor</soort></stemming>', next_token=99)).entities[0]
    c = parse_page(_page(f'<stemming xmlns="{TK}" id="S1"><soort>Tegen</soort></stemming>')).entities[0]
    assert a.raw() == b.raw() != c.raw()


def test_an_empty_page_with_a_resume_link_means_caught_up():
    page = parse_page(b'<feed xmlns="http://www.w3.org/2005/Atom"><link rel="resume" href="https://h/x?skiptoken=5" /></feed>')
    assert page.entities == [] and page.resume and page.next_skiptoken is None


@pytest.mark.parametrize("payload,needle", [
    (XML_BOMB, "unsafe"),
    (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://evil.test/x.dtd"><feed/>', "unsafe"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>', "malformed"),
    (b"<html>502 Bad Gateway</html>", "expected an Atom feed"),
    # a DTD hidden from the byte scan by another encoding is refused before expat sees it
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><feed/>'.encode("utf-16"), "UTF-16/32"),
    ('<?xml version="1.0" encoding="UTF-16"?><feed/>'.encode("utf-16-le"), "UTF-16/32"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "only UTF-8"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>\xff\xfe</title></feed>', "malformed"),  # invalid UTF-8
])
def test_unsafe_truncated_or_foreign_xml_is_a_clear_error(payload, needle):
    with pytest.raises(FeedFormatError, match=needle):
        parse_page(payload, where="test page")


def test_skiptoken_is_read_from_the_link_query():
    assert skiptoken_of("https://h/SyncFeed/2.0/Feed?skiptoken=3560496&category=Stemming") == 3560496
    assert skiptoken_of("https://h/SyncFeed/2.0/Feed?category=Stemming") is None


def test_an_entry_in_another_layout_gives_the_same_entity_and_skiptoken():
    ent = f'<stemming xmlns="{TK}" id="S1"><soort>Voor</soort></stemming>'
    usual = (f'<entry><title>x</title><link rel="next" href="https://h/F?skiptoken=7&amp;category=Stemming" />'
             f'<content type="application/xml">{ent}</content></entry>')
    shuffled = (f'<entry><content type="application/xml">{ent}</content><link rel="self" href="https://h/F?skiptoken=1" />'
                f'<link rel="next" href="https://h/F?skiptoken=7&amp;category=Stemming" /><title>x</title></entry>')
    no_link = f'<entry><content type="application/xml">{ent}</content></entry>'
    pages = [parse_page(f'<feed xmlns="http://www.w3.org/2005/Atom">{e}</feed>'.encode()).entities for e in (usual, shuffled, no_link)]
    assert [(e.id, e.fields, e.skiptoken) for (e,) in pages] == [("s1", {"soort": "Voor"}, 7)] * 2 + [("s1", {"soort": "Voor"}, None)]
    with pytest.raises(FeedFormatError, match="entry 'x' has no entity"):
        parse_page(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title><content/></entry></feed>')
