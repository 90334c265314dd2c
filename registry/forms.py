"""The verification page's "check a PDF" form: hashes the uploaded file, stores nothing."""

import hashlib

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class PdfCheckForm(forms.Form):
    pdf = forms.FileField(
        label=_("Berkas PDF sertifikat"),
        help_text=_(
            "Berkas tidak disimpan: tanda tangan digitalnya diperiksa dan sidik jari SHA-256-nya "
            "dicocokkan dengan register."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        limit = settings.REGISTRY_VERIFY_MAX_PDF
        if upload.size > limit:
            raise forms.ValidationError(
                _("Berkas terlalu besar (maksimum %(limit)s)."),
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            raise forms.ValidationError(_("Berkas ini bukan PDF."), code="not_pdf")
        upload.seek(0)
        data = b"".join(upload.chunks())
        self.cleaned_data["data"] = data
        self.cleaned_data["sha256"] = hashlib.sha256(data).hexdigest()
        return upload
