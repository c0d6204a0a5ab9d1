from django.db import connection


def test_runs_on_postgres(db):
    """The suite talks to the real PostgreSQL server the session started."""
    assert connection.vendor == "postgresql"
