"""Settings of the connex_bridge demo shop (``make demo``). Not for production.

SQLite lives next to this project (``example_project/db.sqlite3``) whatever the
current directory is, so ``python example_project/manage.py`` works from the
repository root and from anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Demo only: a fixed, public key is fine for a local shop with made-up orders
# and must never be copied into a real deployment.
SECRET_KEY = "django-insecure-connex-bridge-demo-only-do-not-use-in-production"
DEBUG = True

# runserver on 127.0.0.1 is the demo; to let the hosted Connex service reach it
# through a tunnel, add the tunnel's host name(s), comma-separated, here.
ALLOWED_HOSTS = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    *(host.strip() for host in os.environ.get("DEMO_ALLOWED_HOSTS", "").split(",") if host.strip()),
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "connex_bridge",
    "shop",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo_site.urls"
WSGI_APPLICATION = "demo_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
# A US shop: Connex gets wall-clock New York times (docs/protocol.md §5), so an order
# placed at 9 pm lands on that day in QuickBooks.
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"

# The shop's orders reach Connex through its adapter; these are the shop's own state names for
# orders that go to CancelledOrders.
CONNEX_BRIDGE = {
    "ORDER_SOURCE": "shop.connex.ShopOrderSource",
    "CANCELLED_STATUSES": ["cancelled", "refunded"],
    "STOCK_ADAPTER": "shop.connex_inventory.ShopStockAdapter",
    "PURCHASES_ADAPTER": "shop.connex_inventory.ShopPurchasesAdapter",
    # changeorderstatus / createorders: what QuickBooks calls a state, in the shop's words.
    "ORDER_STATUS_MAP": {"Shipped": "dispatched", "Complete": "delivered", "Completed": "delivered"},
}
