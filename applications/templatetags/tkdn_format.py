"""Template filters of the one formatting layer (``applications.formatting``).

``{% load tkdn_format %}`` then ``{{ amount|rupiah }}`` → "Rp 850.000.000",
``{{ value|percent }}`` → "32,50 %", ``{{ days|working_days }}`` → "5 hari kerja",
``{{ date|long_date }}`` → "3 Desember 2026", ``{{ count|number:0 }}`` → "1.234", each in the
active language.
"""

from django import template

from applications import formatting

register = template.Library()


@register.filter
def rupiah(value, places=None):
    return formatting.format_rupiah(value, None if places in (None, "") else int(places))


@register.filter
def percent(value, places=2):
    return formatting.format_percent(value, int(places))


@register.filter
def working_days(value):
    return formatting.format_working_days(value)


@register.filter
def long_date(value):
    return formatting.format_date(value)


@register.filter
def number(value, places=0):
    return formatting.format_number(value, None if places in (None, "") else int(places))
