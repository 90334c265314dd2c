"""The Jinja2 environment of the portal's few Jinja2 templates (``templates/jinja2/``).

Django's template language costs about 10 µs for each variable, tag and filter it renders: the
register's result rows (twenty rows of a dozen values each) were two thirds of the lookup page's
rendering (5.1 of 7.7 ms). Jinja2 compiles a template to Python, so a row list that repeats the
same few values is rendered with it and included in the Django page
(``registry.templatetags.registry_tags.lookup_rows``). The pages themselves stay Django
templates.

The Django templates' ``percent`` filter, the same translations (``_()``, which
``makemessages`` finds in these files as it does in Django templates), and autoescaping (a
Django ``SafeString`` stays unescaped: it has ``__html__``).
"""

from django.utils.translation import gettext, ngettext

from jinja2 import Environment

from applications import formatting


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # Django's backend passes True; always True here
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["percent"] = formatting.format_percent
    return env
