"""Reads of pages for the web views."""

from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Lower

from documents.models import Page, Role
from documents.selectors.access import AnyUser, can_manage, page_roles, pages_visible, roles_for_pages
from documents.selectors.presence import PagePresence


@dataclass
class TreeNode:
    page: Page
    role: Role
    depth: int
    children: list["TreeNode"] = field(default_factory=list)
    # Who has the page open now (filled in by the page list view).
    presence: PagePresence | None = None


def page_tree(*, user: AnyUser) -> list[TreeNode]:
    """The pages the user may see as a forest, roots and children sorted by title. Two queries.

    A visible page whose parent the user may not see shows as a root.
    """
    pages = list(pages_visible(user=user).only("id", "title", "parent_id", "edited_at", "updated_at"))
    roles = roles_for_pages(user=user, pages=pages)
    nodes = {page.id: TreeNode(page=page, role=roles[page.id], depth=0) for page in pages if page.id in roles}
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.page.parent_id) if node.page.parent_id else None
        (parent.children if parent else roots).append(node)

    def sort(level: list[TreeNode], depth: int) -> None:
        level.sort(key=lambda node: (node.page.title.casefold(), str(node.page.id)))
        for node in level:
            node.depth = depth
            sort(node.children, depth + 1)

    sort(roots, 0)
    return roots


def flatten(nodes: list[TreeNode]) -> list[TreeNode]:
    """Depth-first order, for rendering the tree as one list."""
    out: list[TreeNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def pages_trashed(*, user: AnyUser) -> list[tuple[Page, Role]]:
    """Pages in the trash that the user owns (directly or by inheritance), most recently deleted first.

    Two queries, however many pages: only owners may restore, so only they see the trash.
    """
    trashed = list(
        pages_visible(user=user, include_trashed=True)
        .filter(deleted_at__isnull=False)
        .select_related("owner")
        .defer("state")
        .order_by("-deleted_at", Lower("title"), "id")
    )
    roles = page_roles(user=user, page_ids=[page.id for page in trashed])
    return [(page, roles[page.id]) for page in trashed if can_manage(roles.get(page.id))]


def pages_list(*, user: AnyUser, parent: UUID | Literal["root"] | None = None, search: str = "") -> QuerySet[Page]:
    """Live pages the user may see: children of `parent` ("root": top level), every word of `search` in the title.

    By title as people read it (the database's collation may be plain byte order, "Zeta"
    before "alpha"), as in the web tree; id last so pages never swap between requests.
    """
    pages = pages_visible(user=user).select_related("owner").defer("state")
    if parent == "root":
        pages = pages.filter(parent__isnull=True)
    elif parent is not None:
        pages = pages.filter(parent_id=parent)
    for word in search.split():
        pages = pages.filter(title__icontains=word)
    return pages.order_by(Lower("title"), "created_at", "id")


# The chain above a page, nearest first. The depth cap stops a cycle (which the services
# refuse, but a raw write could make) from looping forever.
_ANCESTORS_SQL = """
WITH RECURSIVE chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM documents_page WHERE id = %s
    UNION ALL
    SELECT p.id, p.parent_id, c.depth + 1 FROM documents_page p JOIN chain c ON p.id = c.parent_id
    WHERE c.depth < 1000
)
SELECT p.id, p.title, p.parent_id FROM chain c JOIN documents_page p ON p.id = c.id
WHERE c.depth > 0 ORDER BY c.depth
"""


def page_ancestors(*, user: AnyUser, page: Page) -> list[Page]:
    """The ancestors of a page that the user may see, top first, for a breadcrumb. Two queries.

    Roles flow down the tree, so the visible ancestors are the nearest ones up to the first
    the user may not see.
    """
    if page.parent_id is None:
        return []
    chain = list(Page.objects.raw(_ANCESTORS_SQL, [Page._meta.pk.get_db_prep_value(page.id, connection)]))
    roles = page_roles(user=user, page_ids=[ancestor.id for ancestor in chain])
    visible: list[Page] = []
    for ancestor in chain:
        if ancestor.id not in roles:
            break
        visible.append(ancestor)
    return visible[::-1]


def page_descendant_ids(*, page_id: UUID) -> set[UUID]:
    """Ids of all pages below a page (trashed ones included): one query per level of the tree."""
    found: set[UUID] = set()
    frontier = [page_id]
    while frontier:
        children = list(Page.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier = [child for child in children if child not in found]
        found.update(frontier)
    return found
