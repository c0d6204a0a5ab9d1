"""How lists of the API are cut into pages."""

from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """?page=N, and ?page_size=M (up to 200) for clients that want bigger or smaller pages."""

    page_size_query_param = "page_size"
    max_page_size = 200
