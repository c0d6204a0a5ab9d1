"""Clients for the documents tests."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client():
    """An API client nobody is signed in to."""
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user): an API client signed in (session) as `user`."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api(api_as, user):
    """An API client signed in as `user` (alice)."""
    return api_as(user)
