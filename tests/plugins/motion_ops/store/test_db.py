from motion_ops.store.db import positional


def test_named_placeholders_become_numbered_ones_in_order_of_first_use():
    query, names = positional("SELECT %(b)s, %(a)s::int, %(b)s || '%%' WHERE x = %(c)s")
    assert query == "SELECT $1, $2::int, $1 || '%' WHERE x = $3"
    assert names == ["b", "a", "c"]



def test_the_migrate_step_applies_what_is_pending_and_a_dry_run_only_checks(store):
    from motion_ops.store.db import migrate_step

    store.conn.execute("DROP SCHEMA public CASCADE")  # an empty store: every migration pending
    store.conn.execute("CREATE SCHEMA public")
    store.conn.commit()
    dry = migrate_step(store, dry_run=True)
    assert dry.fail.startswith("dry_run: the store needs migrations 001_init, ") and dry.line == ""
    assert dry.fail.endswith("; run once without dry_run (or `python -m motion_ops migrate`) first")
    applied = migrate_step(store, dry_run=False)
    assert applied.xcom()[0] == "001_init" and applied.items == len(applied.xcom()) > 1
    assert applied.line == f"applied migrations {', '.join(applied.xcom())}"
    again = migrate_step(store, dry_run=False)
    assert (again.xcom(), again.line) == ([], "schema up to date: no migration pending")
    checked = migrate_step(store, dry_run=True)
    assert (checked.xcom(), checked.fail, checked.write) == ([], None, False)
    assert checked.line == "schema up to date (dry run: nothing applied)"
