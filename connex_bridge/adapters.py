"""What the catalogue-side adapters share: loading one from its setting, and saying "not supported".

Stock and purchases are not order-source methods: each has its own small
adapter class (:class:`connex_bridge.stock.StockAdapter`,
:class:`connex_bridge.purchases.PurchasesAdapter`) named by its own
``CONNEX_BRIDGE`` setting, as django-allauth has one adapter per domain. A
shop that does not take part in a flow sets that setting to ``None`` (or
keeps a base class that does not implement it): the flow raises
:class:`NotSupportedError`, which the views answer with a 501 whose JSON
string says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from connex_bridge.conf import SETTING_NAME, app_settings

if TYPE_CHECKING:
    from django.db import models
    from django.db.models import QuerySet

    from connex_bridge.models import ConnexCredential

T = TypeVar("T")


class NotSupportedError(Exception):
    """The shop's configured adapter does not do this flow; the message is shown to the merchant (a 501)."""


def model_class(model: type[models.Model] | str | None) -> type[models.Model] | None:
    """A ``model`` attribute (a class, ``"app_label.Model"`` or None) as a class, or None."""
    return apps.get_model(model) if isinstance(model, str) else model


class ModelAdapter:
    """What the stock and purchases adapters share: the host model they read, or a 501 without one."""

    #: The host model (a class or ``"app_label.Model"``); ``None`` in a base class, which then answers 501.
    model: type[models.Model] | str | None = None
    #: The 501 message when this adapter has no model to read.
    not_supported: str = ""

    def get_model(self) -> type[models.Model] | None:
        """:attr:`model` as a class (``None`` when not declared)."""
        return model_class(self.model)

    def get_queryset(self, credential: ConnexCredential) -> QuerySet[Any]:
        """Every row of :attr:`model`; :class:`NotSupportedError` (:attr:`not_supported`) without one."""
        model = self.get_model()
        if model is None:
            raise NotSupportedError(self.not_supported)
        return model._default_manager.all()


def import_adapter(key: str, path: str, base: type[T]) -> type[T]:
    """The subclass of ``base`` at the dotted ``path`` of setting ``key``; ImproperlyConfigured says why not."""
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"{SETTING_NAME}[{key!r}] is {path!r}, which cannot be imported: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ImproperlyConfigured(f"{SETTING_NAME}[{key!r}] is {path!r}, which is not a {base.__name__} subclass.")
    return cls


_adapters: dict[tuple[str, str], Any] = {}


def get_adapter(key: str, base: type[T], not_supported: str) -> T:
    """The adapter setting ``key`` names, instantiated once per dotted path.

    :class:`NotSupportedError` with the message ``not_supported`` when the setting is ``None``.
    """
    path = getattr(app_settings, key)
    if path is None:
        raise NotSupportedError(not_supported)
    adapter = _adapters.get((key, path))
    if adapter is None:
        adapter = _adapters[(key, path)] = import_adapter(key, path, base)()
    return adapter


@receiver(setting_changed)
def _forget_adapters(setting: str, **kwargs: Any) -> None:
    if setting == SETTING_NAME:
        _adapters.clear()
