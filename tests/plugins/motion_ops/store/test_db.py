from motion_ops.store.db import positional


def test_named_placeholders_become_numbered_ones_in_order_of_first_use():
    query, names = positional("SELECT %(b)s, %(a)s::int, %(b)s || '%%' WHERE x = %(c)s")
    assert query == "SELECT $1, $2::int, $1 || '%' WHERE x = $3"
    assert names == ["b", "a", "c"]
