"""Django settings. Everything that differs between machines comes from the environment
(see ``innoregion.site.config`` and docs/operations.md)."""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from innoregion.site import config

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = config.data_dir()

PRODUCTION = os.environ.get("INNOREGION_ENV", "development") == "production"
DEBUG = os.environ.get("DJANGO_DEBUG", "0" if PRODUCTION else "1") == "1"
SECRET_KEY = config.secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_tasks",
    "django_tasks_db",
    "innoregion.apps.region",
    "innoregion.apps.imports",
    "innoregion.apps.access",
    "innoregion.apps.points",
    "innoregion.apps.ladder",
    "innoregion.apps.finance",
    "innoregion.apps.matchmaking",
    "innoregion.apps.talent",
    "innoregion.apps.jobs",
    "innoregion.apps.cockpit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "innoregion.site.urls"
WSGI_APPLICATION = "innoregion.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": config.database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (innoregion.apps.jobs): django-tasks (Django 6's Tasks API, backported) with its
# database backend, so the queue lives in the region database (SQLite or PostgreSQL) and no broker is
# needed. The worker is `innoregion jobs worker` (`manage.py db_worker` after marking lost jobs
# stale); `innoregion serve` and `innoregion demo` start one. Jobs go to the "default" queue. The
# worker's heartbeat and when a silent job counts as stale come from the environment:
# INNOREGION_JOB_HEARTBEAT_SECONDS (10), INNOREGION_JOB_STALE_SECONDS (120). See docs/operations.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# One cache configuration (Django's cache framework, every cache bounded):
# - "default": the bank API's throttling counts. Per process by default, right for one process; with
#   several gunicorn workers set INNOREGION_CACHE=db so that every worker counts in one place (then run
#   `innoregion manage createcachetable` once).
# - "local": per-process values derived from the database that pages read on every request ("the
#   latest scoring and ladder runs", reference names, cohort sizes, the main menu), kept for
#   INNOREGION_POINTER_CACHE_SECONDS (default 5; 0 reads them on every page); a change made in the same
#   process is seen at once (innoregion.site.cache).
CACHES = {
    "default": ({"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "innoregion_cache",
                 "OPTIONS": {"MAX_ENTRIES": 100_000}}
                if os.environ.get("INNOREGION_CACHE", "local") == "db"
                else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "innoregion-default"}),
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "innoregion-local",
              "OPTIONS": {"MAX_ENTRIES": 5000}},
}
INNOREGION_POINTER_CACHE_SECONDS = float(os.environ.get("INNOREGION_POINTER_CACHE_SECONDS", "5"))

# Django's model backend, reading the user's profile (role) in the same query
AUTHENTICATION_BACKENDS = ["innoregion.apps.access.backends.ProfileBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Three languages from the start: Chinese (simplified), Korean, English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True  # localised numbers (1,234 / 1.234) in every template

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
STATICFILES_DIRS = [PACKAGE_DIR / "site" / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage" if PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # closed by default: an API view that forgets its permission classes is not public
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "innoregion API",
    "DESCRIPTION": "Bank and platform API of a science and technology innovation region.",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
