"""Links to many certificates at once: ``reverse`` once per page and URL name, each value then
quoted into the pattern's place as ``reverse`` quotes it (``django.urls.resolvers``). Twenty
``reverse`` calls were a tenth of the lookup page's rendering; two per certificate (and an
absolute URL) a third of the API serializer's time. For patterns whose argument takes any text
(``str``, ``path``): nothing is checked against the pattern."""

from collections.abc import Callable
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

# A value that ``reverse`` and ``build_absolute_uri`` leave as it is, found again in their URL.
_SENTINEL = "tkdnurlsentinel0"
# The characters ``reverse`` leaves unquoted in an argument.
_REVERSE_SAFE = RFC3986_SUBDELIMS + "/~:@"


def url_maker(
    name: str, argument: str, *, absolute: Callable[[str], str] | None = None
) -> Callable[[str], str]:
    """The function of a value giving ``reverse(name, kwargs={argument: value})`` (made
    absolute by ``absolute``, e.g. ``request.build_absolute_uri``)."""
    path = reverse(name, kwargs={argument: _SENTINEL})
    if absolute is not None:
        path = absolute(path)
    head, found, tail = path.partition(_SENTINEL)
    if not found or _SENTINEL in tail:
        raise ValueError(f"{name}: the sentinel is not in {path}")

    def url(value) -> str:
        return f"{head}{quote(str(value), safe=_REVERSE_SAFE)}{tail}"

    return url
