from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registry"
    verbose_name = _("Registri sertifikat")

    def ready(self) -> None:
        # Registers the deployment check on the signing key (registry.signing).
        # Cache invalidation only (no business rule): a saved or deleted certificate makes the
        # cached public lookup pages stale (registry.views.public_page_cache).
        from django.db.models.signals import post_delete, post_save

        from . import signing  # noqa: F401
        from .models import Certificate

        post_save.connect(_invalidate_pages, sender=Certificate, dispatch_uid="registry-pages")
        post_delete.connect(_invalidate_pages, sender=Certificate, dispatch_uid="registry-pages")


def _invalidate_pages(**kwargs) -> None:
    from .selectors import registry_pages_invalidate

    registry_pages_invalidate()
