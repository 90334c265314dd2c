from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Permohonan TKDN-IK")

    def ready(self) -> None:
        from django.core import checks

        from .rules import check_settings

        checks.register(check_settings)
