import pytest
from django.utils import translation

from ventanilla.inbox.tests.conftest import browse, chromium, server  # noqa: F401


@pytest.fixture(autouse=True)
def _english() -> object:
    """Staff-facing texts are asserted in English (the residents' own follow their language)."""
    with translation.override("en"):
        yield
