"""Shared by the page commands: which pages to work on."""

from __future__ import annotations

from uuid import UUID

from django.core.management.base import CommandError, CommandParser


def add_page_arguments(parser: CommandParser) -> None:
    parser.add_argument("page_ids", nargs="*", metavar="PAGE_ID", help="Page ids (uuid); all pages when none.")


def parse_page_ids(values: list[str]) -> list[UUID]:
    ids = []
    for value in values:
        try:
            ids.append(UUID(value))
        except ValueError:
            raise CommandError(f"not a page id: {value!r}")
    return ids
