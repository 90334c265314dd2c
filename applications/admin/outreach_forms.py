"""Forms of the outreach events' admin (``applications.admin.outreach``): the event itself,
attendance per participant, and the walk-in (an owner found by account e-mail or NIB).

They check what the services will check (jurisdiction, capacity against the places given) so a
refusal is a message on the field, never a crash page; the services check again under the lock.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import Company, Event, Registration
from applications.outreach import event_in_scope, official_of


def _formfield(field, **kwargs):
    # Links typed without a scheme are https (Django 6's default; no deprecation warning).
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        formfield_callback = _formfield
        fields = (
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "capacity",
            "province",
            "regency",
            "partner",
        )

    actor = None  # set by EventAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's split date/time inputs have no <label> of their own (WCAG 1.3.1, 4.1.2):
        # name each part.
        names = {
            "starts_at": (gettext("Tanggal mulai"), gettext("Jam mulai")),
            "ends_at": (gettext("Tanggal selesai"), gettext("Jam selesai")),
        }
        for field, (date_name, time_name) in names.items():
            widgets = getattr(self.fields[field].widget, "widgets", None)
            if widgets:
                widgets[0].attrs["aria-label"] = date_name
                widgets[1].attrs["aria-label"] = time_name

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.actor is None:
            return
        if not event_in_scope(event=self.instance, user=self.actor):
            self.add_error(
                "regency"
                if official_of(self.actor) and official_of(self.actor).regency_id
                else "province",
                gettext("Acara hanya dapat dibuat untuk wilayah kerja Anda."),
            )
        elif self.instance.pk is not None:
            taken = self.instance.registrations.filter(
                status=Registration.Status.REGISTERED
            ).count()
            if self.instance.capacity < taken:
                self.add_error(
                    "capacity",
                    gettext("Sudah ada %(n)d peserta terdaftar; kapasitas tidak dapat lebih kecil.")
                    % {"n": taken},
                )


class WalkInForm(forms.Form):
    """Who came without registering: the owner's account e-mail or their company's NIB."""

    owner = forms.CharField(
        label=_("E-mail akun atau NIB pemilik IKM"),
        max_length=254,
        help_text=_("NIB: 13 angka, seperti pada profil perusahaan di portal."),
    )

    def clean_owner(self):
        value = self.cleaned_data["owner"].strip()
        User = get_user_model()
        if value.isdigit():
            company = Company.objects.select_related("owner").filter(nib=value).first()
            owner = company.owner if company else None
        else:
            owner = User.objects.filter(email__iexact=value).first()
        if owner is None or owner.is_staff:
            raise ValidationError(
                gettext("Tidak ada akun pemilik IKM dengan e-mail atau NIB ini."), code="unknown"
            )
        return owner


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = Registration
        fields = ("attended",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One checkbox per row under the column heading: its accessible name says whose it is.
        if self.instance.pk:
            self.fields["attended"].widget.attrs["aria-label"] = gettext("Hadir: %(owner)s") % {
                "owner": self.instance.owner
            }
