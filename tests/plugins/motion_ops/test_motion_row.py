from motion_ops.motion_row import Raw, aggregate_votes, assemble_motion

G = "00000000-0000-4000-8000-{:012d}".format  # GUIDs, as in the feed
F_GL, F_GL_OLD, F_VVD, V1, V2 = G(1), G(2), G(3), G(11), G(12)

def stemming(id, soort, fractie, *, seats=10, vergissing="false", persoon=None, changed="2025-01-01T10:00:00", name=None):
    refs = {"besluit": ["b1"], "fractie": [fractie]}
    if persoon:
        refs["persoon"] = [persoon]
    return Raw(id, False, {"bijgewerkt": changed, "fields": {"soort": soort, "fractieGrootte": str(seats),
                                                            "vergissing": vergissing, "actorFractie": name or "Naam"},
                           "refs": refs})


PARTIES = {F_GL: "GL", F_GL_OLD: "GL", F_VVD: "VVD"}


def test_duplicates_collapse_and_mistaken_votes_are_skipped():
    votes = aggregate_votes([
        stemming("1", "Voor", F_GL, seats=5, name="GroenLinks"),
        stemming("2", "Voor", F_GL, seats=5, name="GroenLinks"),           # duplicate row
        stemming("3", "Tegen", F_VVD, seats=24),
        stemming("4", "Voor", F_VVD, seats=24, vergissing="true"),         # cast by mistake
    ], PARTIES)
    assert votes == [
        {"party": "GL", "fractie_id": F_GL, "voor": 5, "tegen": 0, "seats": 5, "vote": "Voor"},
        {"party": "VVD", "fractie_id": F_VVD, "voor": 0, "tegen": 24, "seats": 24, "vote": "Tegen"},
    ]


def test_a_party_is_named_by_its_fractie_abbreviation_not_the_vote_row_name():
    (v,) = aggregate_votes([stemming("1", "Voor", F_GL_OLD, name="GroenLinks")], PARTIES)
    assert v["party"] == "GL"


def test_roll_call_rows_are_counted_per_party():
    rows = [stemming(str(i), "Voor" if i < 3 else "Tegen", F_VVD, persoon=f"p{i}") for i in range(5)]
    rows.append(stemming("dup", "Voor", F_VVD, persoon="p0"))  # the same member twice
    (v,) = aggregate_votes(rows, PARTIES)
    assert (v["voor"], v["tegen"], v["seats"], v["vote"]) == (3, 2, 5, "Voor")


def zaak(deleted=False, soort="Motie"):
    return Raw("z1", deleted, {"fields": {"soort": soort, "onderwerp": "Motie over dijken", "titel": "Waterbeheer",
                                          "gestartOp": "2025-03-04T00:00:00", "nummer": "2025Z1"},
                               "refs": {"kamerstukdossier": ["k1"]}})


def doc(id, soort, datum, deleted=False, versie=V1):
    return Raw(id, deleted, {"bijgewerkt": datum, "fields": {"soort": soort, "datum": datum, "documentNummer": id},
                             "refs": {"huidigeDocumentVersie": [versie]}})


def build(z, docs=(), besluiten=(), stemmingen=None):
    return assemble_motion(z, documents=list(docs), dossiers={"k1": Raw("k1", False, {"fields": {"nummer": "36000", "toevoeging": "XII"}})},
                           actors=[], besluiten=list(besluiten), stemmingen=stemmingen or {}, parties=PARTIES)


def test_the_newest_motion_document_wins():
    m = build(zaak(), [doc("d1", "Motie", "2025-03-04"), doc("d2", "Motie (gewijzigd/nader)", "2025-03-06", versie=V2),
                       doc("d3", "Brief regering", "2025-03-09")])
    assert (m["document_id"], m["document_versie_id"], m["dossier"], m["deleted"]) == ("d2", V2, "36000-XII", False)
    assert str(m["started_on"]) == "2025-03-04"


def test_a_tombstoned_zaak_or_all_documents_deleted_marks_the_motion_deleted():
    assert build(zaak(deleted=True)) == {"id": "z1", "deleted": True}
    assert build(zaak(), [doc("d1", "Motie", "2025-03-04", deleted=True)])["deleted"] is True


def test_other_zaak_kinds_are_not_motions_and_a_reclassified_one_stops_being_one():
    assert build(zaak(soort="Wetgeving")) == {"id": "z1", "deleted": True}


def test_a_bad_reference_or_seat_count_is_left_out_and_reported_not_raised():
    bad_doc = Raw("d1", False, {"bijgewerkt": "2025-03-04", "fields": {"soort": "Motie", "datum": "2025-03-04"},
                                "refs": {"huidigeDocumentVersie": ["not-a-guid"]}})
    b_vote = Raw("b1", False, {"bijgewerkt": "2", "fields": {"besluitSoort": "Stemmen - verworpen"}, "refs": {}})
    rows = [stemming("s1", "Voor", "no-guid", name="GroenLinks"), stemming("s2", "Tegen", F_VVD, seats="veel")]
    m = build(zaak(), [bad_doc], besluiten=[b_vote], stemmingen={"b1": rows})
    assert m["document_id"] == "d1" and m["document_versie_id"] is None
    assert [(v["party"], v["fractie_id"], v["seats"]) for v in m["votes"]] == [("GroenLinks", None, 10), ("VVD", F_VVD, None)]
    assert sorted((p["entity"], p["field"], p["value"]) for p in m["problems"]) == [
        ("d1", "huidigeDocumentVersie", "not-a-guid"), ("s1", "fractie", "no-guid"), ("s2", "fractieGrootte", "veel")]


def test_a_seat_count_that_is_not_a_number_is_unknown_not_zero_on_the_side_the_party_voted():
    votes = aggregate_votes([stemming("s1", "Tegen", F_VVD, seats="veel"), stemming("s2", "Voor", F_GL, seats="5.0"),
                             stemming("s3", "Niet deelgenomen", F_GL_OLD, seats="", name="GroenLinks")],
                            {F_GL: "GL", F_GL_OLD: "GL-oud", F_VVD: "VVD"}, problems := [])
    assert votes == [
        {"party": "GL", "fractie_id": F_GL, "voor": None, "tegen": 0, "seats": None, "vote": "Voor"},
        {"party": "GL-oud", "fractie_id": F_GL_OLD, "voor": 0, "tegen": 0, "seats": None, "vote": "Niet deelgenomen"},
        {"party": "VVD", "fractie_id": F_VVD, "voor": 0, "tegen": None, "seats": None, "vote": "Tegen"},
    ]
    # a value that is there but no number is a problem; an empty one is only unknown
    assert [(p["entity"], p["value"]) for p in problems] == [("s1", "veel"), ("s2", "5.0")]


def test_the_newest_duplicate_wins_by_its_moment_whatever_the_spelling_of_its_change_time():
    # as text "10:30:00+02:00" sorts after "09:00:00Z", but it is the earlier moment (08:30 UTC)
    rows = [stemming("early", "Voor", F_VVD, changed="2024-06-01T10:30:00.0000000+02:00"),
            stemming("late", "Tegen", F_VVD, changed="2024-06-01T09:00:00Z"),
            stemming("earliest", "Voor", F_VVD, changed="2024-06-01T10:00:00.1234567")]  # Amsterdam time: 08:00 UTC
    (v,) = aggregate_votes(rows, PARTIES)
    assert v["vote"] == "Tegen"


def test_only_stemmen_besluiten_count_and_the_outcome_is_kept():
    b_vote = Raw("b1", False, {"bijgewerkt": "2", "fields": {"besluitSoort": "Stemmen - aangenomen"}, "refs": {}})
    b_other = Raw("b2", False, {"bijgewerkt": "3", "fields": {"besluitSoort": "Uitstellen"}, "refs": {}})
    m = build(zaak(), besluiten=[b_vote, b_other], stemmingen={"b1": [stemming("1", "Voor", F_VVD)], "b2": [stemming("2", "Tegen", F_GL)]})
    assert m["outcome"] == "aangenomen" and [v["party"] for v in m["votes"]] == ["VVD"]


def test_an_amended_motion_carries_what_links_it_to_the_one_it_replaces():
    z = Raw("z2", False, {"fields": {"soort": "Motie", "gestartOp": "2025-02-18T00:00:00",
                                     "onderwerp": "Gewijzigde motie van het lid Podt c.s. over overlast (t.v.v. 19637-3370)"},
                          "refs": {"kamerstukdossier": ["k1"], "vervangenVanuit": [G(70).upper(), "not-a-guid"]}})
    b = Raw("b1", False, {"bijgewerkt": "2025-02-25", "fields": {"besluitSoort": "Stemmen - aangenomen"},
                          "refs": {"agendapunt": [G(80)]}})
    m = build(z, [doc("d1", "Motie (gewijzigd/nader)", "2025-02-18")], [b], {"b1": [stemming("s", "Voor", F_VVD)]})
    assert (m["replaces_kamerstuk"], m["replaces_ids"], m["amended"], m["debate_id"]) == ("19637-3370", [G(70)], True, G(80))
    plain = build(zaak(), [doc("d1", "Motie", "2025-03-04")])
    assert (plain["replaces_kamerstuk"], plain["replaces_ids"], plain["amended"], plain["debate_id"]) == (None, [], False, None)


def test_without_a_kamerstukdossier_the_dossier_comes_from_the_document_versions_externeidentifier():
    z = Raw("z3", False, {"fields": {"soort": "Motie", "onderwerp": "Motie over asiel"}, "refs": {}})
    versies = {"d1": [Raw(V1, False, {"bijgewerkt": "2025-02-18", "fields": {"externeidentifier": "kst-19637-3384"}})]}
    m = assemble_motion(z, documents=[doc("d1", "Motie", "2025-02-18")], dossiers={}, actors=[], besluiten=[],
                        stemmingen={}, parties=PARTIES, versies=versies)
    assert (m["dossier"], m["kamerstuk"]) == ("19637", "19637-3384")
    with_ref = assemble_motion(zaak(), documents=[doc("d1", "Motie", "2025-02-18")], actors=[], besluiten=[],
                               dossiers={"k1": Raw("k1", False, {"fields": {"nummer": "36000", "toevoeging": "XII"}})},
                               stemmingen={}, parties=PARTIES, versies=versies)
    assert (with_ref["dossier"], with_ref["kamerstuk"]) == ("36000-XII", "19637-3384")  # the Kamerstukdossier wins


def test_a_submitter_without_a_party_is_listed_by_name_alone():
    actors = [Raw("a1", False, {"fields": {"actorNaam": "T.J. Bushoff", "actorFractie": None, "relatie": "Indiener"}}),
              Raw("a2", False, {"fields": {"actorNaam": "C.A.M. van der Plas", "actorFractie": "BBB",
                                           "relatie": "Medeindiener"}})]
    m = assemble_motion(zaak(), documents=[], dossiers={}, actors=actors, besluiten=[], stemmingen={}, parties={})
    assert m["submitters"] == ["T.J. Bushoff", "C.A.M. van der Plas (BBB)"]
