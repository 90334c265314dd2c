"""The planner's settings of a walk or a collected page are on again after the block: after
success, a Python error, a database error, inside an outer transaction and in autocommit."""

from django.db import DatabaseError, connection, transaction

import pytest

from tkdnportal.pagination import collecting_matches, walking_order_index

pytestmark = pytest.mark.django_db(transaction=True)


def _show():
    with connection.cursor() as c:
        out = []
        for name in ("enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_indexscan"):
            c.execute(f"SHOW {name}")
            out.append(c.fetchone()[0])
        return out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_the_planner_settings_never_stay_off():
    with transaction.atomic():
        with walking_order_index("default"):
            assert _show()[:3] == ["off"] * 3
        assert _show() == ["on"] * 4
        try:
            with collecting_matches("default"):
                raise ValueError
        except ValueError:
            pass
        assert _show() == ["on"] * 4
        try:
            with collecting_matches("default"), connection.cursor() as c:
                c.execute("SELECT 1/0")
        except DatabaseError:
            pass
        assert _show() == ["on"] * 4
    assert _show() == ["on"] * 4
    with walking_order_index("default"):
        pass
    assert _show() == ["on"] * 4
