import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle buckets and cached statistics live in the cache: start every test empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
