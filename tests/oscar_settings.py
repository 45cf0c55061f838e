"""The settings of the Oscar shop the suite (tox -e oscar) and the benchmark (``--source oscar``) install.

They follow Oscar's "Building your own shop" page, less what serves only its storefront
(templates, thumbnails, middleware). Importing this module needs django-oscar.
"""

from __future__ import annotations

from typing import Any

import oscar.defaults


def oscar_settings(installed_apps: list[str]) -> dict[str, Any]:
    """Oscar's defaults, ``installed_apps`` with Oscar's apps and connex_bridge.contrib.oscar, the shop's settings."""
    values: dict[str, Any] = {name: value for name, value in vars(oscar.defaults).items() if name.isupper()}
    values["INSTALLED_APPS"] = [
        *installed_apps,
        "django.contrib.sites",
        "django.contrib.flatpages",
        "oscar.config.Shop",
        "oscar.apps.analytics.apps.AnalyticsConfig",
        "oscar.apps.checkout.apps.CheckoutConfig",
        "oscar.apps.address.apps.AddressConfig",
        "oscar.apps.shipping.apps.ShippingConfig",
        "oscar.apps.catalogue.apps.CatalogueConfig",
        "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
        "oscar.apps.communication.apps.CommunicationConfig",
        "oscar.apps.partner.apps.PartnerConfig",
        "oscar.apps.basket.apps.BasketConfig",
        "oscar.apps.payment.apps.PaymentConfig",
        "oscar.apps.offer.apps.OfferConfig",
        "oscar.apps.order.apps.OrderConfig",
        "oscar.apps.customer.apps.CustomerConfig",
        "oscar.apps.search.apps.SearchConfig",
        "oscar.apps.voucher.apps.VoucherConfig",
        "oscar.apps.wishlists.apps.WishlistsConfig",
        "oscar.apps.dashboard.apps.DashboardConfig",
        "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
        "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
        "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
        "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
        "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
        "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
        "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
        "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
        "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
        "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
        "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
        "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
        "widget_tweaks",
        "haystack",
        "treebeard",
        "django_tables2",
        "connex_bridge.contrib.oscar",
    ]
    values["SITE_ID"] = 1
    values["HAYSTACK_CONNECTIONS"] = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
    values["HAYSTACK_SIGNAL_PROCESSOR"] = "haystack.signals.BaseSignalProcessor"  # no search index to keep current
    values["OSCAR_DEFAULT_CURRENCY"] = "USD"
    values["OSCAR_INITIAL_ORDER_STATUS"] = "Pending"
    values["OSCAR_INITIAL_LINE_STATUS"] = "Pending"
    values["OSCAR_ORDER_STATUS_PIPELINE"] = {
        "Pending": ("Being processed", "Cancelled"),
        "Being processed": ("Shipped", "Cancelled"),
        "Shipped": ("Refunded",),
        "Cancelled": (),
        "Refunded": (),
    }
    return values
