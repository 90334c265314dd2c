import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes uploads and PDFs to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
