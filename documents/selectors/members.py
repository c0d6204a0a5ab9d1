"""Who has access to a page: its own members and those inherited from the pages above it."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from documents.models import ROLE_RANK, Page, PageMember, Role


@dataclass(frozen=True)
class Member:
    user: AbstractBaseUser
    role: Role
    # The page above this one that grants the role, or None when it is granted here.
    inherited_from: Page | None


def page_members(*, page: Page) -> list[Member]:
    """Everyone with a role on the page, with their best role and where it comes from. Two queries
    plus one per ancestor level."""
    chain: list[Page] = [page]
    while chain[-1].parent_id is not None:
        parent = Page.objects.only("id", "title", "parent_id").filter(id=chain[-1].parent_id).first()
        if parent is None:
            break
        chain.append(parent)
    by_id = {p.id: p for p in chain}
    best: dict[int, Member] = {}
    rows = PageMember.objects.filter(page_id__in=list(by_id)).select_related("user").order_by("user__username")
    for row in rows:
        source = None if row.page_id == page.id else by_id[row.page_id]
        current = best.get(row.user_id)
        role = Role(row.role)
        better = current is None or ROLE_RANK[role] > ROLE_RANK[current.role]
        # On a tie the page's own membership wins: it is the one an owner can change here.
        if better or (ROLE_RANK[role] == ROLE_RANK[current.role] and source is None):
            best[row.user_id] = Member(user=row.user, role=role, inherited_from=source)
    return sorted(best.values(), key=lambda m: (-ROLE_RANK[m.role], m.user.get_username().casefold()))
