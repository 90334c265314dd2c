"""Two-factor login for the admin (setting ``TKDN_ADMIN_2FA``)."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class AdminTwoFactorMiddleware:
    """With ``TKDN_ADMIN_2FA`` on, a signed-in staff user reaches the admin only after confirming
    a TOTP code (django-otp) in this session; without an enrolled device they enrol first.

    The admin's login, logout and JavaScript catalogue stay reachable. Runs after django-otp's
    ``OTPMiddleware``, which sets ``request.user.is_verified``.
    """

    EXEMPT = ("login/", "logout/", "jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TKDN_ADMIN_2FA and self._needs_code(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('two_factor')}?{query}")
        return self.get_response(request)

    def _needs_code(self, request) -> bool:
        admin_root = reverse("admin:index")
        if not request.path.startswith(admin_root):
            return False
        if request.path[len(admin_root) :].startswith(self.EXEMPT):
            return False
        user = request.user
        return user.is_authenticated and user.is_staff and not user.is_verified()
