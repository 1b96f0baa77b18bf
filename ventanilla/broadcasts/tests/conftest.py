from ventanilla.inbox.tests.conftest import browse, chromium, server  # noqa: F401
