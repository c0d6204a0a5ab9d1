"""Who is on which page now, for the page list's "2 editing" counts."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.selectors.presence import pages_presence

# An object keyed by page id; drf-spectacular has no serializer field for that, so spelled out.
PRESENCE_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "people": {"type": "integer", "description": "Distinct people with the page open now."},
            "editing": {"type": "integer", "description": "How many of them may edit it (the others are viewers)."},
        },
        "required": ["people", "editing"],
    },
}


class PagePresenceApi(APIView):
    @extend_schema(
        operation_id="pages_presence",
        responses={200: PRESENCE_SCHEMA},
        examples=[
            OpenApiExample(
                "Two people on one page, one of them editing",
                value={"0b9f7c2e-8d4a-4f3e-9a51-3c2d1e0f9a8b": {"people": 2, "editing": 1}},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        """Pages you may see that someone has open now, by page id; pages with nobody are left out.

        The server processes count every few seconds, so this is at most a few seconds behind.
        """
        presence = pages_presence(user=request.user)
        data = {str(page_id): {"people": here.people, "editing": here.editing} for page_id, here in presence.items()}
        return Response(data)
