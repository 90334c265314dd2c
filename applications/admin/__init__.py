"""Django admin of the applications app: review queue, reference data, profiles.

Layout (imports go one way, ``tkdnportal`` ← ``applications`` ← ``registry``):

- ``applications.py``: the base ``ApplicationAdmin``: the scoped review queue, its columns and
  detail page, and the review decisions (reject, ask for revision, mark checked, retry a failed
  calculation), each an action and a button. ``decisions``, ``actions``, ``fieldsets``,
  ``perform_decision`` and ``get_urls`` are the hooks a subclass extends.
- ``filters.py``, ``clock.py``, ``display.py``, ``scoping.py``: list filters, the service-level
  clock, HTML pieces (breakdown table, file links) and region scoping, also used by the registry.
- ``outreach.py``: outreach events (scoped to the region), attendance, walk-ins, cancellation and
  conversion; their forms in ``outreach_forms.py``.
- ``reference.py``: regions, holidays, companies, products, officials, snapshots (registered here).

The ``Application`` model is registered by ``registry.admin`` with a subclass that adds what needs
the registry: the approval (which queues the certificate's issue), the retry of a failed issue,
the DRAFT certificate preview and the certificate summary and PDF. The base class is therefore not
registered here: this package never imports the registry, and the one registered admin keeps every
URL name (``admin:applications_application_*``).
"""

from . import outreach, reference  # noqa: F401 - register the events' and reference-data admins
from .applications import ApplicationAdmin, DecisionForm, revision_items
from .display import breakdown_html, file_link

__all__ = ["ApplicationAdmin", "DecisionForm", "breakdown_html", "file_link", "revision_items"]
