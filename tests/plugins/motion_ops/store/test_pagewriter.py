import psycopg
import pytest

from motion_ops.parsers.feedpage import parse_page
from motion_ops.store.pagewriter import PageWriter
from motion_ops.sync import page_params
from tests.plugins.motion_ops.test_sync import G, besluit, feed_page


def test_a_page_writer_whose_connection_dies_raises_and_keeps_what_it_committed(store):
    def page(n, token):
        return page_params("Besluit", parse_page(feed_page("Besluit", [besluit(n, 10 + n)], token)), token)

    writer = PageWriter(store.dsn)
    writer.put(page(1, 5))
    writer.wait()
    assert store.conn.execute("SELECT skiptoken FROM feed_checkpoints WHERE category = 'Besluit'").fetchone()[0] == 5
    store.conn.execute("SELECT pg_terminate_backend(%s)", (writer.conn.pgconn.backend_pid,))
    store.conn.commit()
    with pytest.raises(psycopg.OperationalError):
        try:
            writer.put(page(2, 6))
        finally:
            writer.close()  # the error surfaces when the page is sent or, at the latest, confirmed
    assert writer.conn.closed
    assert store.conn.execute("SELECT skiptoken FROM feed_checkpoints WHERE category = 'Besluit'").fetchone()[0] == 5
    assert [r[0] for r in store.conn.execute("SELECT id::text FROM raw_entities")] == [G(1)]
    assert writer.changed == {"Besluit": 1}
