"""Who may do what on a page: the one place that answers it.

Roles are inherited down the page tree: a member of a page has at least that role on every
descendant, and a descendant can grant more. Staff users are owners of everything.
"""

from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from documents.models import ROLE_RANK, Page, PageMember, Role

AnyUser = AbstractBaseUser | AnonymousUser


def role_at_least(role: Role | str | None, needed: Role) -> bool:
    """True when `role` includes `needed` (viewer < editor < owner)."""
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[needed]


def can_view(role: Role | str | None) -> bool:
    return role_at_least(role, Role.VIEWER)


def can_edit(role: Role | str | None) -> bool:
    return role_at_least(role, Role.EDITOR)


def can_manage(role: Role | str | None) -> bool:
    return role_at_least(role, Role.OWNER)


def _best(roles: Iterable[str]) -> Role | None:
    best: Role | None = None
    for role in roles:
        if best is None or ROLE_RANK[Role(role)] > ROLE_RANK[best]:
            best = Role(role)
    return best


def _page_id_param(page_id: UUID) -> object:
    # UUIDs are stored as char(32) on SQLite and as uuid on PostgreSQL.
    return Page._meta.pk.get_db_prep_value(page_id, connection)


# One row per (page of the batch, membership of the user on it or an ancestor). UNION, not
# UNION ALL, so that a cycle in the tree (which the services refuse) cannot loop forever.
_ANCESTOR_ROLES_SQL = """
WITH RECURSIVE chain(page_id, id, parent_id) AS (
    SELECT id, id, parent_id FROM documents_page WHERE id IN ({placeholders})
    UNION
    SELECT c.page_id, p.id, p.parent_id FROM documents_page p JOIN chain c ON p.id = c.parent_id
)
SELECT c.page_id, m.role FROM chain c JOIN documents_pagemember m ON m.page_id = c.id
WHERE m.user_id = %s
"""

# Bounds the number of parameters of one query (SQLite allows 32766); a page of API results
# is at most 200 pages, so this only splits the trash of someone with thousands of pages.
_ROLES_BATCH = 1000


def page_roles(*, user: AnyUser, page_ids: Iterable[UUID]) -> dict[UUID, Role]:
    """The user's effective roles on any pages (inherited from ancestors), by page id.

    One query for up to 1000 pages, whatever their place in the tree; pages the user may not
    see are left out.
    """
    pk = Page._meta.pk
    page_ids = list(dict.fromkeys(pk.to_python(page_id) for page_id in page_ids))
    if not user.is_authenticated or not user.is_active or not page_ids:
        return {}
    if user.is_staff:
        return {page_id: Role.OWNER for page_id in page_ids}
    found: dict[UUID, list[str]] = {}
    for start in range(0, len(page_ids), _ROLES_BATCH):
        batch = page_ids[start : start + _ROLES_BATCH]
        sql = _ANCESTOR_ROLES_SQL.format(placeholders=", ".join(["%s"] * len(batch)))
        with connection.cursor() as cursor:
            cursor.execute(sql, [*(_page_id_param(page_id) for page_id in batch), user.pk])
            for page_id, role in cursor.fetchall():
                found.setdefault(pk.to_python(page_id), []).append(role)
    return {page_id: role for page_id, roles in found.items() if (role := _best(roles)) is not None}


def page_role(*, user: AnyUser, page_id: UUID) -> Role | None:
    """The user's effective role on a page (inherited from ancestors), or None. One query."""
    return page_roles(user=user, page_ids=[page_id]).get(Page._meta.pk.to_python(page_id))


_ANCESTOR_ROLES_OF_USERS_SQL = """
WITH RECURSIVE chain(id, parent_id) AS (
    SELECT id, parent_id FROM documents_page WHERE id = %s
    UNION ALL
    SELECT p.id, p.parent_id FROM documents_page p JOIN chain c ON p.id = c.parent_id
)
SELECT m.user_id, m.role FROM documents_pagemember m
WHERE m.page_id IN (SELECT id FROM chain) AND m.user_id IN ({users})
"""


def page_roles_of_users(*, page_id: UUID, user_ids: Iterable[int]) -> dict[int, Role | None]:
    """Effective roles of several users on one page, for re-checking open connections."""
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return {}
    users = get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "is_active", "is_staff")
    roles: dict[int, list[str]] = {}
    sql = _ANCESTOR_ROLES_OF_USERS_SQL.format(users=", ".join(["%s"] * len(user_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [_page_id_param(page_id), *user_ids])
        for user_id, role in cursor.fetchall():
            roles.setdefault(user_id, []).append(role)
    result: dict[int, Role | None] = dict.fromkeys(user_ids)
    for pk, is_active, is_staff in users:
        if is_active:
            result[pk] = Role.OWNER if is_staff else _best(roles.get(pk, []))
    return result


_VISIBLE_SQL = """
WITH RECURSIVE visible(id) AS (
    SELECT page_id FROM documents_pagemember WHERE user_id = %s
    UNION
    SELECT p.id FROM documents_page p JOIN visible v ON p.parent_id = v.id
)
SELECT id FROM visible
"""


def pages_visible(*, user: AnyUser, include_trashed: bool = False) -> QuerySet[Page]:
    """Pages the user may at least view: one query, composable with further filters."""
    pages = Page.objects.all()
    if not include_trashed:
        pages = pages.filter(deleted_at__isnull=True)
    if not user.is_authenticated or not user.is_active:
        return pages.none()
    if user.is_staff:
        return pages
    return pages.filter(id__in=RawSQL(_VISIBLE_SQL, [user.pk]))


def roles_for_pages(*, user: AnyUser, pages: Iterable[Page]) -> dict[UUID, Role]:
    """Effective roles on pages that form a downward-closed set of visible pages. One query.

    A page's role is the best of its own membership and its parent's role, so walking the
    pages from their roots needs only the user's memberships on these pages.
    """
    pages = list(pages)
    if not user.is_authenticated:
        return {}
    if user.is_staff:
        return {page.id: Role.OWNER for page in pages}
    by_id = {page.id: page for page in pages}
    own = dict(PageMember.objects.filter(user=user, page_id__in=list(by_id)).values_list("page_id", "role"))
    roles: dict[UUID, Role] = {}

    def resolve(page: Page) -> Role | None:
        if page.id in roles:
            return roles[page.id]
        inherited = resolve(by_id[page.parent_id]) if page.parent_id in by_id else None
        role = _best([r for r in (own.get(page.id), inherited) if r is not None])
        if role is not None:
            roles[page.id] = role
        return role

    for page in pages:
        resolve(page)
    return roles


# One row per (question, page on the way up from the asked page to its root), with the
# asker's membership there if any. VALUES names its columns column1.. on SQLite and
# PostgreSQL alike; the CTE's column list renames them.
_PAGE_ACCESS_SQL = """
WITH RECURSIVE asked(n, page_id, user_id) AS (VALUES {rows}),
chain(n, user_id, id, parent_id, live, depth) AS (
    SELECT a.n, a.user_id, p.id, p.parent_id, p.deleted_at IS NULL, 0
    FROM asked a JOIN documents_page p ON p.id = a.page_id
    UNION ALL
    SELECT c.n, c.user_id, p.id, p.parent_id, TRUE, c.depth + 1
    FROM documents_page p JOIN chain c ON p.id = c.parent_id
    WHERE c.depth < 1000
)
SELECT c.n, c.depth, c.live, m.role
FROM chain c LEFT JOIN documents_pagemember m ON m.page_id = c.id AND m.user_id = c.user_id
"""

# Questions per query: three parameters each, under the 999 of old SQLite versions.
_ACCESS_BATCH = 300

PageAccess = tuple[bool | None, Role | None]


def page_access(*, user: AnyUser, page_id: UUID) -> PageAccess:
    """Whether the page exists and is out of the trash (None: no such page), and the user's
    effective role on it. One query: what a WebSocket connection needs to be decided."""
    return page_access_many(questions=[(user, page_id)])[0]


def page_access_many(*, questions: list[tuple[AnyUser, UUID]]) -> list[PageAccess]:
    """page_access() for many (user, page) questions at once, in their order: one query for
    up to 300 different questions, however deep their pages are in the tree."""
    pk = Page._meta.pk
    keys = [(user.pk, pk.to_python(page_id)) for user, page_id in questions]
    users = {user.pk: user for user, _ in questions}
    distinct = [key for key in dict.fromkeys(keys) if users[key[0]].is_authenticated and users[key[0]].is_active]
    found: dict[tuple[int, UUID], PageAccess] = {}
    for start in range(0, len(distinct), _ACCESS_BATCH):
        batch = distinct[start : start + _ACCESS_BATCH]
        sql = _PAGE_ACCESS_SQL.format(rows=", ".join(["(%s, %s, %s)"] * len(batch)))
        params = [v for n, (user_pk, page_id) in enumerate(batch) for v in (n, _page_id_param(page_id), user_pk)]
        live: dict[int, bool] = {}
        roles: dict[int, list[str]] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for n, depth, row_live, role in cursor.fetchall():
                if depth == 0:
                    live[n] = bool(row_live)
                if role:
                    roles.setdefault(n, []).append(role)
        for n, (user_pk, page_id) in enumerate(batch):
            if n not in live:
                continue
            role = Role.OWNER if users[user_pk].is_staff else _best(roles.get(n, []))
            found[(user_pk, page_id)] = (live[n], role)
    return [found.get(key, (None, None)) for key in keys]
