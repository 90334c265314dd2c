"""Account pages: register, confirm the e-mail address, sign in (e-mail or username)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import EmailOrUsernameAuthenticationForm, RegistrationForm, ResendConfirmationForm


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@require_http_methods(["GET", "POST"])
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
            services.confirmation_send(user=user, base_url=_base_url(request))
        # The same answer whether or not the address is registered (no account enumeration).
        messages.info(
            request,
            _("Bila alamat itu terdaftar dan belum dikonfirmasi, tautan baru sudah dikirim."),
        )
        return redirect("login")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


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
