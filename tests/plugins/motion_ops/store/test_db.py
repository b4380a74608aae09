from motion_ops.store.db import positional


def test_named_placeholders_become_numbered_ones_in_order_of_first_use():
    query, names = positional("SELECT %(b)s, %(a)s::int, %(b)s || '%%' WHERE x = %(c)s")
    assert query == "SELECT $1, $2::int, $1 || '%' WHERE x = $3"
    assert names == ["b", "a", "c"]


def test_the_search_filters_are_defined_once_and_every_search_query_has_them():
    from motion_ops.store.db import SQL_DIR, sql

    clause = "v.party = ANY(%(parties)s::text[])"
    searches = [*SQL_DIR.glob("queries/api_search_*.sql"), *SQL_DIR.glob("fragments/*.sql")]
    defined = [p.relative_to(SQL_DIR).as_posix() for p in sorted(searches) if clause in p.read_text()]
    assert defined == ["fragments/search_filters.sql"], defined
    for mode in ("text", "semantic", "hybrid"):
        query = sql(f"api_search_{mode}")
        assert query.count(clause) == 1 and "-- include:" not in query, mode


def test_a_query_includes_a_fragment_where_a_line_says_so_and_an_unknown_fragment_is_a_clear_error(tmp_path):
    import pytest

    from motion_ops.store.db import compose

    (tmp_path / "fragments").mkdir()
    (tmp_path / "fragments" / "live.sql").write_text("-- live motions\n  AND NOT m.deleted\n")
    query = "SELECT 1 FROM motions m\nWHERE true\n  -- include: live\nLIMIT 1"
    assert compose(query, tmp_path) == "SELECT 1 FROM motions m\nWHERE true\n-- live motions\n  AND NOT m.deleted\nLIMIT 1"
    assert compose("SELECT 1 -- include: live", tmp_path) == "SELECT 1 -- include: live"  # only a line of its own
    with pytest.raises(FileNotFoundError, match="SQL fragment 'gone' not found"):
        compose("SELECT 1\n-- include: gone\n", tmp_path)


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
