"""``/pelatihan/``: outreach events (sosialisasi, bimtek) for owners and the public."""

from django.urls import path

from . import outreach_views as views

app_name = "outreach"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    # Events are addressed by their UUID: URLs carry no sequential ids.
    path("<uuid:public_id>/", views.event_detail, name="event_detail"),
    path("<uuid:public_id>/daftar/", views.event_register, name="event_register"),
    path("<uuid:public_id>/batal/", views.event_cancel_registration, name="event_cancel"),
    path("<uuid:public_id>/kalender.ics", views.event_calendar, name="event_calendar"),
]
