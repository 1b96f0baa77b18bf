from typing import Any

from django.http import HttpRequest

from ventanilla.core.councils import council_for_request


def council(request: HttpRequest) -> dict[str, Any]:
    return {"council": council_for_request(request)}
