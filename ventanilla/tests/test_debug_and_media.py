"""Residents' files are never served without a login; error pages never show credentials."""

import importlib
import sys

import pytest
from django.test import Client, RequestFactory
from django.urls import clear_url_caches
from django.views.debug import technical_500_response

import ventanilla.urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_urls(settings):
    """The URL configuration as a process started with DEBUG=1 builds it."""
    settings.DEBUG = True
    importlib.reload(ventanilla.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(ventanilla.urls)
    clear_url_caches()


def test_media_files_are_not_served_by_path_even_with_debug(debug_urls, settings):
    path = settings.MEDIA_ROOT / "attachments" / "2026" / "image-13-1.png"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n resident's photo")
    assert Client().get("/media/attachments/2026/image-13-1.png").status_code == 404


@pytest.fixture
def database_url(settings):
    settings.DEBUG = True
    password = "hunter2" + "-secret"  # in pieces: the page also quotes this file's source
    settings.DATABASE_URL = f"postgres://ventanilla:{password}@db.internal:5432/ventanilla"
    return password


def debug_page() -> str:
    """Return Django's DEBUG error page for an error raised here (no secret in this frame)."""
    request = RequestFactory().get("/cases/x/")
    try:
        raise ValueError("boom")
    except ValueError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_debug_pages_do_not_show_the_database_url(database_url):
    page = debug_page()
    assert "DATABASE_URL" in page and database_url not in page
