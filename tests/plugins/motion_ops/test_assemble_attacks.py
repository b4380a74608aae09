"""Reviewer's demonstrations (wt/review) on the assembly of votes and change times (#13, #1)."""
from motion_ops.assemble import Raw, aggregate_votes

FRACTIE = "11111111-1111-1111-1111-111111111111"


def _vote(eid, changed, **fields):
    return Raw(eid, False, {"bijgewerkt": changed, "fields": {"actorFractie": "VVD", **fields},
                            "refs": {"fractie": [FRACTIE]}})


def test_a_party_row_with_an_unknown_seat_count_beside_a_member_row_is_assembled_not_crashed():
    # newest first: the party row (fractieGrootte not a number: seats None) then a roll-call row of the same
    # party. With 0 seats (before #13) this summed; with None it raises TypeError and the motion is never built
    rows = [_vote("a1", "2023-10-27T10:00:00", soort="Voor", fractieGrootte="onbekend"),
            _vote("a2", "2023-10-27T09:00:00", soort="Voor", sidActorLid="lid-1")]
    problems = []
    (vvd,) = aggregate_votes(rows, {FRACTIE: "VVD"}, problems)
    assert vvd["vote"] == "Voor" and problems


def test_a_valid_change_time_near_the_calendar_edge_orders_instead_of_failing_the_motion():
    # feed_time accepts it (sync stores it; PostgreSQL's timestamptz holds it), but Raw.changed catches only
    # ValueError and feed_instant raises OverflowError: aggregate_votes' sort fails the whole motion
    rows = [_vote("a1", "9999-12-31T23:59:59-05:00", soort="Voor", fractieGrootte="30"),
            _vote("a2", "2023-10-27T09:00:00", soort="Tegen", fractieGrootte="30")]
    (vvd,) = aggregate_votes(rows, {FRACTIE: "VVD"}, [])
    assert vvd["vote"] == "Voor"
