"""The update writer's PostgreSQL path: one prepared statement a batch, binary parameters."""

import os
import uuid
from datetime import timedelta

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import DatabaseError, connection
from django.utils import timezone

from documents.models import PageContributor, PageUpdate
from documents.services.content import NewUpdate
from documents.services.pages import page_create
from realtime.store import PostgresAppender

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the writer's PostgreSQL path"),
]


@pytest.fixture
async def appender():
    appender = PostgresAppender()
    yield appender
    await appender.close()


@pytest.fixture
def pages(user):
    return page_create(owner=user, title="One"), page_create(owner=user, title="Two")


def stored(ids):
    rows = PageUpdate.objects.in_bulk(ids)
    return [(rows[i].page_id, bytes(rows[i].data), rows[i].user_id, rows[i].created_at) for i in ids]


async def test_a_batch_is_stored_as_given_in_order(appender, pages, user, other_user):
    one, two = pages
    big = os.urandom(3 * 1024 * 1024)  # more than the socket takes at once: the send is flushed in parts
    batch = [
        NewUpdate(one.id, b"first", user.id),
        NewUpdate(two.id, b"", None),
        NewUpdate(one.id, big, other_user.id),
        NewUpdate(two.id, b"\x00\xff\x00", user.id),
    ]
    before = timezone.now()
    ids = await appender.append(batch)
    assert ids == sorted(ids)
    assert len(set(ids)) == 4
    rows = await sync_to_async(stored)(ids)
    assert [row[:3] for row in rows] == [(u.page_id, u.data, u.user_id) for u in batch]
    for *_, created_at in rows:
        assert before - timedelta(seconds=1) <= created_at <= timezone.now() + timedelta(seconds=1)
    authors = await sync_to_async(set)(PageContributor.objects.values_list("page_id", "user_id"))
    assert {(one.id, user.id), (one.id, other_user.id), (two.id, user.id)} <= authors
    assert (two.id, None) not in authors


async def test_the_prepared_statement_serves_every_batch(appender, pages, user):
    one, _ = pages
    ids = []
    for n in range(1, 30):
        ids += await appender.append([NewUpdate(one.id, bytes([n]) * n, user.id if n % 2 else None)] * (n % 4 + 1))
    assert ids == sorted(ids)
    rows = await sync_to_async(stored)(ids)
    assert len(rows) == len(ids) == sum(n % 4 + 1 for n in range(1, 30))


async def test_a_missing_page_is_an_integrity_error_and_the_connection_stays(appender, pages, user):
    one, _ = pages
    await appender.append([NewUpdate(one.id, b"before", user.id)])
    with pytest.raises(psycopg.errors.IntegrityError):
        await appender.append([NewUpdate(one.id, b"lost with the batch", user.id), NewUpdate(uuid.uuid4(), b"x", None)])
    [row_id] = await appender.append([NewUpdate(one.id, b"after", user.id)])
    assert [row[1] for row in await sync_to_async(stored)([row_id])] == [b"after"]
    data = await sync_to_async(list)(PageUpdate.objects.filter(page=one).values_list("data", flat=True))
    assert [bytes(d) for d in data].count(b"lost with the batch") == 0


async def test_a_lost_connection_is_a_database_error_then_reconnects(appender, pages, user):
    one, _ = pages
    await appender.append([NewUpdate(one.id, b"before", user.id)])
    backend = appender._connection.pgconn.backend_pid

    def terminate():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])

    await sync_to_async(terminate)()
    with pytest.raises(DatabaseError):
        await appender.append([NewUpdate(one.id, b"while gone", user.id)])
    [row_id] = await appender.append([NewUpdate(one.id, b"after", user.id)])
    assert appender._connection.pgconn.backend_pid != backend
    assert [row[1] for row in await sync_to_async(stored)([row_id])] == [b"after"]
