import json

import numpy as np

from motion_ops.chains import Version, link
from motion_ops.parsers.substance import is_amended, parse_kamerstuk, replaced_kamerstuk
from tests.conftest import REAL

MOTIONS = [json.loads(line) for line in (REAL / "motions" / "sample.jsonl").open(encoding="utf-8")]


def version(m, **kw):
    ks = parse_kamerstuk(m["kamerstuk"])
    return Version(m["zaak_id"], started_on=m["date"], nummer=m["nummer"], dossier=m["dossier"],
                   kamerstuk=f"{ks[0]}-{ks[1]}", replaces_kamerstuk=replaced_kamerstuk(m["onderwerp"]),
                   amended=is_amended(m["onderwerp"], m["document_soort"]), **kw)


def test_the_tvv_reference_of_real_amended_motions_links_them_to_their_originals():
    chains = link([version(m) for m in MOTIONS])
    pairs = {(a, b): s for a, b, s in chains.edges}
    assert pairs == {(MOTIONS[0]["zaak_id"], MOTIONS[1]["zaak_id"]): "tvv", (MOTIONS[2]["zaak_id"], MOTIONS[3]["zaak_id"]): "tvv"}
    assert chains.hidden == {MOTIONS[1]["zaak_id"], MOTIONS[3]["zaak_id"]}
    assert chains.earlier[MOTIONS[0]["zaak_id"]] == [(MOTIONS[1]["zaak_id"], "tvv")]
    assert chains.representative[MOTIONS[1]["zaak_id"]] == MOTIONS[0]["zaak_id"]


def test_the_zaak_relation_links_without_a_title_reference_and_the_newest_represents_the_chain():
    a = Version("a", started_on="2024-01-01", dossier="1")
    b = Version("b", started_on="2024-01-03", dossier="1", replaces_ids=["a"], amended=True)
    c = Version("c", started_on="2024-01-05", dossier="1", replaces_ids=["b"], amended=True)  # nader gewijzigd
    other = Version("x", started_on="2024-01-02", dossier="1", replaces_ids=["not-in-corpus"])
    chains = link([a, b, c, other])
    assert chains.hidden == {"a", "b"} and chains.earlier["c"] == [("b", "zaak"), ("a", "chain")]
    assert chains.earlier["b"] == [("a", "zaak")] and "x" not in chains.earlier


def test_near_identical_text_in_the_same_dossier_links_only_an_amended_motion():
    rng = np.random.default_rng(1)
    base = rng.standard_normal(16)
    close = base + 0.05 * rng.standard_normal(16)
    text = np.array([base, close, close, rng.standard_normal(16)])
    text /= np.linalg.norm(text, axis=1, keepdims=True)
    versions = [Version("o", started_on="2024-02-01", dossier="7"),
                Version("amended", started_on="2024-02-02", dossier="7", amended=True),
                Version("same-text-not-amended", started_on="2024-02-03", dossier="7"),
                Version("other-dossier", started_on="2024-02-03", dossier="8", amended=True)]
    chains = link(versions, text)
    assert [(a, b, s) for a, b, s in chains.edges] == [("amended", "o", "text")]
    far = np.array([base, -base, base, base]) / np.linalg.norm(base)  # the amended motion's text differs
    assert link(versions, far).edges == []
