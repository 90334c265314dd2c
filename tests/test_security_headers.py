"""Security headers on every kind of page (issue 8, Deployment). Secure and HTTP-only cookies in
production are checked by ``manage.py check --deploy`` in tests/test_project.py."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/ping/", "/tidak-ada/"])
def test_security_headers_are_set(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_inline_scripts_in_our_pages(client):
    """The CSP forbids inline scripts, so none of our pages may rely on one."""
    import re

    for path in ["/"]:
        html = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
