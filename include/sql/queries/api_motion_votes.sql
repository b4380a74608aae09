SELECT party, vote, seats, voor, tegen FROM motion_votes WHERE motion_id = %(id)s ORDER BY seats DESC NULLS LAST, party
