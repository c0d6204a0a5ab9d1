"""Who may call the API at all: session and token authentication, and 401 without either."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.tests.factories import make_page

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/pages/"),
    ("post", "/api/pages/"),
    ("get", "/api/pages/{id}/"),
    ("patch", "/api/pages/{id}/"),
    ("put", "/api/pages/{id}/"),
    ("delete", "/api/pages/{id}/"),
    ("get", "/api/trash/"),
    ("post", "/api/trash/{id}/restore/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_endpoint_answers_401_with_www_authenticate_without_credentials(api_client, user, method, url):
    """Without credentials every endpoint says 401, names the Token scheme and explains in JSON."""
    page = make_page(owner=user)
    response = getattr(api_client, method)(url.format(id=page.id), {"title": "x"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_session_authentication_lists_pages(api_as, user):
    """A browser signed in with a session cookie can use the API."""
    page = make_page(owner=user, title="Mine")
    response = api_as(user).get("/api/pages/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(page.id)]


def test_session_writes_need_the_csrf_token(user):
    """With a session cookie, a write without the CSRF token is refused (403) and changes nothing."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/pages/", {"title": "No token"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not user.page_roles.exists()


def test_token_authentication_reads_and_writes_without_csrf(user):
    """A program sends `Authorization: Token <key>`; it needs no CSRF token and acts as the token's user."""
    token = Token.objects.create(user=user)
    client = APIClient(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {token.key}")
    created = client.post("/api/pages/", {"title": "From a script"}, format="json")
    assert created.status_code == 201
    assert created.json()["owner"] == user.username
    listed = client.get("/api/pages/")
    assert [row["title"] for row in listed.json()["results"]] == ["From a script"]


def test_a_wrong_token_is_401(api_client):
    """An unknown token is refused with 401 and a message, not treated as anonymous."""
    response = api_client.get("/api/pages/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_of_an_inactive_user_is_401(make_user):
    """Deactivating a user revokes their tokens."""
    someone = make_user(is_active=False)
    token = Token.objects.create(user=someone)
    response = APIClient().get("/api/pages/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401


def test_tokens_can_be_created_with_a_management_command(user, capsys):
    """`manage.py drf_create_token USER` makes a token that the API accepts."""
    call_command("drf_create_token", user.username)
    token = Token.objects.get(user=user)
    assert token.key in capsys.readouterr().out
    response = APIClient().get("/api/pages/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
