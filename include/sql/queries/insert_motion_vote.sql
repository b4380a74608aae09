INSERT INTO motion_votes (motion_id, party, fractie_id, vote, seats, voor, tegen)
VALUES (%(motion_id)s, %(party)s, %(fractie_id)s, %(vote)s, %(seats)s, %(voor)s, %(tegen)s)
