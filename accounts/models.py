from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class User(AbstractUser):
    """A portal account: an IKM owner, a dinas official or an administrator.

    E-mail is unique (case-insensitively) because owners sign in and reset passwords with it.
    """

    email = models.EmailField(_("alamat e-mail"), unique=True)
    phone = models.CharField(_("nomor telepon"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = pgettext_lazy("plural", "pengguna")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} <{self.email}>" if full else self.email or self.username
