"""Account pages: register, confirm the e-mail address, sign in (e-mail or username)."""

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tkdnportal.throttling import rate_limited

from . import services
from .forms import EmailOrUsernameAuthenticationForm, RegistrationForm, ResendConfirmationForm


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@require_http_methods(["GET", "POST"])
@rate_limited("register", "ACCOUNTS_RATE")
def register(request):
    if request.user.is_authenticated:
        return redirect("applications:dashboard")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.user_register(
            email=data["email"],
            username=data["username"],
            full_name=data["full_name"],
            password=data["password1"],
            base_url=_base_url(request),
        )
        request.session["registered_email"] = data["email"]
        return redirect("register_done")
    return render(request, "accounts/register.html", {"form": form})


@require_GET
def register_done(request):
    return render(
        request, "accounts/register_done.html", {"email": request.session.get("registered_email")}
    )


@require_GET
def activate(request, uidb64: str, token: str):
    user = services.user_from_token(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/activation_invalid.html", status=400)
    services.user_activate(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request, _("E-mail terkonfirmasi. Selamat datang! Mulailah dengan mengisi profil usaha.")
    )
    return redirect("applications:company")


@require_http_methods(["GET", "POST"])
@rate_limited("resend-confirmation", "ACCOUNTS_RATE")
def resend_confirmation(request):
    form = ResendConfirmationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        from django.contrib.auth import get_user_model

        user = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["email"], is_active=False)
            .first()
        )
        if user is not None:
            # Queued for the worker: the request takes as long for an unknown address.
            services.confirmation_send(user=user, base_url=_base_url(request))
        # The same answer whether or not the address is registered (no account enumeration).
        messages.info(
            request,
            _("Bila alamat itu terdaftar dan belum dikonfirmasi, tautan baru sudah dikirim."),
        )
        return redirect("login")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, but the e-mail goes to the worker (``services.mail_queue``): a request
    for a registered address must not take longer than one for an unknown address."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        services.mail_queue(
            subject_template=subject_template_name,
            body_template=email_template_name,
            context=context,
            to=to_email,
        )


@method_decorator(rate_limited("password-reset", "ACCOUNTS_RATE"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm


class LoginView(auth_views.LoginView):
    form_class = EmailOrUsernameAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if self.request.user.is_staff:
            return reverse("admin:index")
        return reverse("applications:dashboard")

    def get_redirect_url(self):
        url = super().get_redirect_url()
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()}):
            return url
        return ""


def lockout(request, original_response=None, credentials=None):
    """The page shown after too many failed logins (django-axes' AXES_LOCKOUT_CALLABLE).

    Says how long to wait and offers the way back: reset the password, or go home. Status 429.
    """
    from django.conf import settings

    return render(
        request,
        "accounts/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
        },
        status=429,
    )


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The admin's second step: enrol a TOTP authenticator app (QR code and secret, then a first
    code), or confirm a code from an enrolled one. Only for signed-in staff users."""
    from django.contrib.auth.views import redirect_to_login

    from django_otp import login as otp_login

    from .forms import TotpCodeForm

    user = request.user
    if not user.is_authenticated or not user.is_staff:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if user.is_verified():
        return redirect(_next_url(request))
    device = services.totp_device_for(user=user)
    enrolling = not device.confirmed
    form = TotpCodeForm(request.POST if request.method == "POST" else None, device=device)
    if request.method == "POST" and form.is_valid():
        services.totp_device_confirm(device=device)
        otp_login(request, device)
        messages.success(request, _("Verifikasi dua langkah berhasil."))
        return redirect(_next_url(request))
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context.update(services.totp_enrolment(device=device))
    return render(request, "accounts/two_factor.html", context)
