"""Sharing a page: giving, changing and taking away roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from documents.errors import Conflict, InvalidInput
from documents.events import access_changed_published
from documents.models import AccessEvent, Page, PageMember, Role
from documents.selectors.access import page_role

User = get_user_model()


def user_find(*, identifier: str) -> AbstractBaseUser:
    """The active user with this username or e-mail address (case-insensitive)."""
    identifier = identifier.strip()
    if not identifier:
        raise InvalidInput("Give a username or an e-mail address.", field="user")
    matches = list(
        User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True)[:2]
    )
    if not matches:
        raise InvalidInput(f"No user is called “{identifier}”.", field="user")
    if len(matches) > 1:
        raise InvalidInput("Several users have this e-mail address; use the username.", field="user")
    return matches[0]


def _record(page: Page, user: AbstractBaseUser, before: str, after: str, by: AbstractBaseUser | None) -> None:
    AccessEvent.objects.create(page=page, user=user, role_before=before, role_after=after, changed_by=by)
    access_changed_published(user_ids=[user.pk])


def _keeps_an_owner(page: Page, leaving: AbstractBaseUser) -> bool:
    """True if someone other than `leaving` still owns the page (directly or above it)."""
    others = PageMember.objects.filter(role=Role.OWNER).exclude(user=leaving).values_list("user_id", "page_id")
    chain = set()
    current: Page | None = page
    while current is not None:
        chain.add(current.id)
        current = current.parent
    return any(page_id in chain for _, page_id in others.filter(page_id__in=chain))


@transaction.atomic
def member_set(
    *, page: Page, user: AbstractBaseUser, role: Role | str, changed_by: AbstractBaseUser | None
) -> PageMember:
    """Give `user` this role on the page (and so on the pages below it)."""
    role = Role(role)
    member = PageMember.objects.select_for_update().filter(page=page, user=user).first()
    before = member.role if member else ""
    if member is not None and member.role == role:
        return member
    if before == Role.OWNER and not _keeps_an_owner(page, user):
        raise Conflict("A page needs an owner: make someone else an owner first.")
    if member is None:
        member = PageMember.objects.create(page=page, user=user, role=role)
    else:
        member.role = role
        member.save(update_fields=["role"])
    _record(page, user, before, role, changed_by)
    return member


@transaction.atomic
def member_remove(*, page: Page, user: AbstractBaseUser, changed_by: AbstractBaseUser | None) -> None:
    """Take away the user's own role on the page (a role inherited from above stays)."""
    member = PageMember.objects.select_for_update().filter(page=page, user=user).first()
    if member is None:
        raise InvalidInput("This user is not a member of this page.", field="user")
    if member.role == Role.OWNER and not _keeps_an_owner(page, user):
        raise Conflict("A page needs an owner: make someone else an owner first.")
    member.delete()
    _record(page, user, member.role, page_role(user=user, page_id=page.id) or "", changed_by)
