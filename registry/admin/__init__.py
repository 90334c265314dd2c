"""Django admin of the registry: certificates, their numbering, and the ``Application`` admin.

- ``applications.py``: ``IssuingApplicationAdmin``, the applications' review admin plus the
  issuing parts (approve, retry a failed issue, DRAFT preview, certificate summary and PDF),
  registered for ``Application`` here because those parts need the registry and the
  applications app never imports the registry.
- ``certificates.py``: certificates (revoke, extend) and the yearly number sequence.
- ``programme.py``: IKM populations, yearly targets, expiry reminders and the programme
  dashboard (``admin/registry/programmetarget/dasbor/``), scoped by region.
"""

from . import applications, certificates, programme  # noqa: F401 - register the model admins
