import pytest

from devkit.standin.server import XML_BOMB
from motion_ops.parsers.xmlsafe import XmlError, parse_xml


def test_well_formed_utf8_parses():
    assert parse_xml('<a><b>é</b></a>'.encode()).find("b").text == "é"


@pytest.mark.parametrize("payload,needle", [
    (XML_BOMB, "unsafe"),
    (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://evil.test/x.dtd"><a/>', "unsafe"),
    (b"<a><b>", "malformed"),
    ("<a/>".encode("utf-16"), "UTF-16/32"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>', "only UTF-8"),
])
def test_unsafe_or_broken_xml_is_refused_naming_the_source(payload, needle):
    with pytest.raises(XmlError, match=f"where-it-came-from: .*{needle}"):
        parse_xml(payload, where="where-it-came-from")
