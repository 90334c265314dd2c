"""Test settings: the main module plus test-only values and speed-ups.

``DATABASE_URL`` and ``REDIS_URL`` still come from the environment, so CI runs the same suite on
PostgreSQL and Redis that a new user runs on SQLite and the filesystem broker.
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TKDN_VAR_DIR", tempfile.mkdtemp(prefix="tkdn-test-"))

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tasks are called synchronously in fast tests; the slow tests start a real worker process.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Brute-force lockout and the admin's second factor are off unless a test turns them on
# (tests/security/test_brute_force.py, tests/security/test_admin_2fa.py).
AXES_ENABLED = False
# Rate limits out of the way of the other tests (many requests from one address); the tests of
# the limits set their own (tests/security/test_accounts_and_limits.py).
ACCOUNTS_RATE = CALCULATOR_API_RATE = "1000000/min"
TKDN_ADMIN_2FA = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the real-worker test (tests/test_worker.py) runs Celery in another
    # process, which must see the test database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test-db.sqlite3")  # noqa: F405
# The read replica as a test mirror of the default database (a second connection to the same
# test database), on SQLite and PostgreSQL alike: the routing runs for real in the tests that
# allow the "replica" database (tests/test_db_router.py). tests/conftest.py turns replica reads
# off for every other test: their rows live in a transaction another connection cannot see.
DATABASES["replica"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "TEST": {**DATABASES["default"].get("TEST", {}), "MIRROR": "default"},  # noqa: F405
}
DATABASE_REPLICA_ALIAS = "replica"
