"""Order addresses are not tracked by a path to the order (the order points at them), so edits of
a ``BillingAddress`` or ``ShippingAddress`` mark the orders that use it here, when the configured
source is an :class:`~connex_bridge.contrib.oscar.source.OscarOrderSource`.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.db.models.signals import post_save, pre_delete

from connex_bridge.changes import mark_changed
from connex_bridge.sources import get_order_source

#: Oscar's address model → the order's field pointing at it.
ADDRESS_FIELDS = {"order.BillingAddress": "billing_address", "order.ShippingAddress": "shipping_address"}


def _oscar_source() -> Any:
    from connex_bridge.contrib.oscar.source import OscarOrderSource

    try:
        source = get_order_source()
    except ImproperlyConfigured:
        return None  # the system checks report it
    return source if isinstance(source, OscarOrderSource) else None


def _receiver(field: str) -> Any:
    def record_change(sender: type[Model], instance: Model, **kwargs: Any) -> None:
        if kwargs.get("raw") or kwargs.get("created"):  # fixtures, or no order can point at it yet
            return
        source = _oscar_source()
        if source is None:
            return
        orders = source.require_model()._default_manager.filter(**{field: instance.pk})
        mark_changed(source.change_label, orders.values_list("pk", flat=True))

    return record_change


def connect_addresses() -> None:
    """Hook saves and deletes of Oscar's order addresses (once; called from ``AppConfig.ready``)."""
    for label, field in ADDRESS_FIELDS.items():
        receiver = _receiver(field)
        try:
            model = apps.get_model(label)
        except LookupError as exc:
            raise ImproperlyConfigured(
                f"connex_bridge.contrib.oscar needs django-oscar's order app in INSTALLED_APPS: {exc}"
            ) from exc
        for signal in (post_save, pre_delete):
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"connex_bridge_oscar.{label}")
