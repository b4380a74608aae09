"""Found by attacking the first fixes: the assembly of votes with unknown seats and odd change times (#13, #1)."""
from motion_ops.motion_row import Raw, aggregate_votes

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


def test_a_change_time_at_the_calendar_edge_is_no_timestamp_and_never_fails_the_motions_assembly():
    # the sync refuses it (no UTC instant Python can hold); should such a value reach assembly anyway,
    # it sorts as "no timestamp" (oldest) instead of raising OverflowError and failing the whole motion
    rows = [_vote("a1", "9999-12-31T23:59:59-05:00", soort="Voor", fractieGrootte="30"),
            _vote("a2", "2023-10-27T09:00:00", soort="Tegen", fractieGrootte="30")]
    (vvd,) = aggregate_votes(rows, {FRACTIE: "VVD"}, [])
    assert vvd["vote"] == "Tegen"
