"""Account forms: registration, login by e-mail or username, re-sending the confirmation."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

User = get_user_model()


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    email = forms.EmailField(
        label=_("Alamat e-mail"),
        help_text=_(
            "Tautan konfirmasi dikirim ke alamat ini; gunakan e-mail yang tercantum di NIB."
        ),
    )
    username = forms.RegexField(
        label=_("Nama pengguna"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Huruf, angka, dan . @ + - _ saja. Anda juga dapat masuk dengan e-mail."),
        error_messages={"invalid": _("Gunakan huruf, angka, dan . @ + - _ saja.")},
    )
    password1 = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        # An address that already has an account is NOT refused here: the form would tell anyone
        # which addresses are registered. ``services.user_register`` answers it by e-mail.
        return self.cleaned_data["email"].strip()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Nama pengguna ini sudah dipakai; pilih yang lain."))
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif p1:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("full_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailOrUsernameAuthenticationForm(AuthenticationForm):
    """Sign in with the e-mail address or the username; unconfirmed accounts are told why."""

    username = forms.CharField(
        label=_("E-mail atau nama pengguna"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("E-mail/nama pengguna atau kata sandi salah."),
        "unconfirmed": _(
            "Akun ini belum dikonfirmasi. Buka tautan di e-mail pendaftaran, atau minta "
            "tautan baru."
        ),
    }

    def clean(self):
        login = (self.cleaned_data.get("username") or "").strip()
        user = None
        if "@" in login:
            user = User.objects.filter(email__iexact=login).first()
        if user is None:
            user = User.objects.filter(username__iexact=login).first()
        self._candidate = user
        if user is not None:
            # Authenticate with the stored username, whatever the user typed.
            self.cleaned_data["username"] = user.get_username()
        return super().clean()

    def get_invalid_login_error(self):
        """Wrong password, unknown account, locked out, or right password of an unconfirmed
        account: only the last gets its own message, and only when django-axes has not locked
        this username and address out (``authenticate`` ran first and set
        ``request.axes_locked_out``), so the lockout can never be used to test passwords.

        Every refusal checks the password once more (against a throwaway hash when there is no
        such account), so known and unknown accounts cost the same time.
        """
        user, password = getattr(self, "_candidate", None), self.cleaned_data.get("password")
        locked = getattr(self.request, "axes_locked_out", False)
        if user is None:
            User().set_password(password or "")
            matches = False
        else:
            matches = bool(password) and user.check_password(password)
        if matches and not user.is_active and not locked:
            return ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")
        return super().get_invalid_login_error()


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label=_("Alamat e-mail"))


class TotpCodeForm(forms.Form):
    """A six-digit code from the official's authenticator app."""

    code = forms.RegexField(
        label=_("Kode 6 digit dari aplikasi autentikator"),
        # [0-9], not \d: int() would also read other scripts' digits.
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={
            "invalid": _("Masukkan 6 angka dari aplikasi autentikator."),
            "required": _("Masukkan 6 angka dari aplikasi autentikator."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        verify_allowed, _info = self.device.verify_is_allowed()
        if not verify_allowed:
            raise ValidationError(
                _("Terlalu banyak kode salah. Tunggu sebentar, lalu coba lagi."), code="throttled"
            )
        if not self.device.verify_token(code):
            raise ValidationError(
                _("Kode salah atau sudah kedaluwarsa. Periksa jam ponsel Anda dan coba lagi."),
                code="wrong",
            )
        return code
