"""Fixtures shared by the browser tests, imported (not copied) from where they are defined.

``browser``: headless Debian Chromium (tests/browser/test_owner_journey.py); ``worker``: a real
Celery worker process on this run's broker and test database (tests/test_worker.py).
"""

from tests.browser.test_owner_journey import browser  # noqa: F401
from tests.test_worker import worker  # noqa: F401
