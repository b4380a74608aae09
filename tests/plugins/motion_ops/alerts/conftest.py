"""Nights that publish new motions: the synced corpus with motions of its largest dossier held back,
released and published night by night (:class:`Nights`)."""
import pytest

from motion_ops.publish import publish
from motion_ops.similarity import compute_version

KEY = b"alerts-test-secret"


class Nights:
    """``night(0)`` publishes all but the held-back motions; ``night(i)`` brings back group ``i`` (one
    motion of ``dossier`` and two others) and publishes again, as a nightly run with new motions does."""

    def __init__(self, store, model, groups: int = 2):
        self.store, self.model = store, model
        plain = ("NOT deleted AND body_text IS NOT NULL AND NOT amended AND replaces_ids = '{}' AND replaces_kamerstuk "
                 "IS NULL AND NOT EXISTS (SELECT 1 FROM motions o WHERE motions.id = ANY(o.replaces_ids))")  # no chains
        self.dossier = q(store, "SELECT coalesce(dossier, publication_dossier) FROM motions WHERE " + plain +
                                " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")[0][0]
        of_dossier = [r[0] for r in q(store, "SELECT id::text FROM motions WHERE " + plain +
                                             " AND coalesce(dossier, publication_dossier) = %s ORDER BY id DESC", self.dossier)]
        others = [r[0] for r in q(store, "SELECT id::text FROM motions WHERE " + plain + " AND "
                                         "coalesce(dossier, publication_dossier) IS DISTINCT FROM %s ORDER BY id DESC",
                                  self.dossier)]
        assert len(of_dossier) > groups, "the corpus needs a dossier with more motions than nights"
        self.groups = [[of_dossier[i], *others[2 * i:2 * i + 2]] for i in range(groups)]
        q(store, "UPDATE motions SET deleted = true WHERE id = ANY(%s::uuid[])", [i for g in self.groups for i in g])

    def night(self, i: int) -> int:
        if i:
            q(self.store, "UPDATE motions SET deleted = false WHERE id = ANY(%s::uuid[])", self.groups[i - 1])
        version = compute_version(self.store, model=self.model, top_n=8)["version"]
        publish(self.store, version)
        return version


def q(store, sql, *args):
    cur = store.conn.execute(sql, args)
    rows = cur.fetchall() if cur.description else []
    store.conn.commit()
    return rows


@pytest.fixture
def nights(store, synced):
    return Nights(store, synced[1])
