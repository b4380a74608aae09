from motion_ops.parties import LINEAGE, identity, votes_by_identity


def test_names_and_abbreviations_over_time_map_to_one_identity():
    assert identity("GL") == identity("GroenLinks") == identity("PvdA") == identity("GL-PvdA") == "GroenLinks-PvdA"
    assert identity("CU") == identity("ChristenUnie") == "ChristenUnie"
    assert identity("Partij voor de Dieren") == identity("pvdd") == "PvdD"
    assert identity("FvD") == identity("FVD") == "FVD"
    # the vote row's name first, then the Fractie record's abbreviation and name
    assert identity(None, "GL", "GroenLinks") == "GroenLinks-PvdA"
    assert identity("Nieuwe Partij", "NP") == "Nieuwe Partij"  # unknown: its own identity
    assert all(identity(i) == i for i in LINEAGE)


def test_merged_parties_that_agree_vote_once_and_a_split_or_an_absence_is_missing():
    assert votes_by_identity([("GroenLinks-PvdA", "Voor"), ("GroenLinks-PvdA", "Voor"), ("VVD", "Tegen")]) == {
        "GroenLinks-PvdA": 1, "VVD": -1}
    assert votes_by_identity([("GroenLinks-PvdA", "Voor"), ("GroenLinks-PvdA", "Tegen")]) == {}
    assert votes_by_identity([("SP", "Niet deelgenomen")]) == {}
    assert votes_by_identity([("GroenLinks-PvdA", "Niet deelgenomen"), ("GroenLinks-PvdA", "Tegen")]) == {
        "GroenLinks-PvdA": -1}
