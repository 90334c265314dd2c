"""The Celery app of the portal (CELERY_ settings namespace, tasks autodiscovered)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tkdnportal.settings")

app = Celery("tkdnportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
