"""connex_bridge's own models: Connex credentials and the built-in order store.

Shops with their own order models use :class:`ConnexCredential` and, with
change tracking, :class:`OrderChange`; the order models serve shops that keep
their orders here, and the tests. Nothing here points at a host model: host
ids are kept as strings.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connex_bridge.vocabulary import INVOICE_MODES, ZERO


def _money(verbose_name: str, **kwargs: Any) -> models.DecimalField[Any, Any]:
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(_(verbose_name), max_digits=14, decimal_places=2, **kwargs)


class ConnexCredential(models.Model):
    """A user name and secret that Connex uses to poll this shop.

    Only a digest of the secret is stored (see :mod:`connex_bridge.credential_secrets`);
    the secret itself is shown once, when it is created or rotated.
    """

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_.@+-]+\Z",
                _("Use letters, digits and _ . @ + - only (no blanks, no colon)."),
            )
        ],
        help_text=_("What the merchant types into Connex as the user name."),
    )
    secret_digest = models.CharField(_("secret digest"), max_length=200, editable=False)
    # After a rotation with a grace period, the old secret keeps working until
    # previous_valid_until, so the merchant can update Connex without a gap.
    previous_secret_digest = models.CharField(_("previous secret digest"), max_length=200, blank=True, editable=False)
    previous_valid_until = models.DateTimeField(_("old secret valid until"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    stores = models.JSONField(
        _("stores"),
        default=list,
        blank=True,
        help_text=_("Store names this credential may see. Empty: every store."),
    )
    merchant = models.CharField(
        _("merchant"),
        max_length=100,
        blank=True,
        help_text=_(
            "On platforms with several merchants: the id of the merchant whose orders this credential may see "
            "(the order source decides what that means)."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Connex credential")
        verbose_name_plural = _("Connex credentials")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    #: The fields set_secret() changes: save(update_fields=SECRET_FIELDS) after it.
    SECRET_FIELDS = ("secret_digest", "previous_secret_digest", "previous_valid_until")

    def set_secret(self, secret: str, *, grace: datetime.timedelta | None = None) -> None:
        """Store the digest of ``secret`` (the secret itself is never kept).

        With ``grace``, the secret being replaced keeps working for that long;
        without, it stops at once (and so does one kept from an earlier rotation).
        """
        from connex_bridge.credential_secrets import make_digest

        if grace and self.secret_digest:
            self.previous_secret_digest = self.secret_digest
            self.previous_valid_until = timezone.now() + grace
        else:
            self.previous_secret_digest = ""
            self.previous_valid_until = None
        self.secret_digest = make_digest(secret)

    @property
    def previous_secret_valid(self) -> bool:
        """True while the secret replaced by the last rotation still works."""
        return bool(
            self.previous_secret_digest
            and self.previous_valid_until is not None
            and timezone.now() < self.previous_valid_until
        )

    def match_secret(self, secret: str) -> str | None:
        """``"current"``, ``"previous"`` (within a rotation's grace period) or None.

        Always computes two digests, so the time taken tells nothing about
        whether a grace period is running.
        """
        from connex_bridge.credential_secrets import check_digest

        current = check_digest(secret, self.secret_digest)
        previous = check_digest(secret, self.previous_secret_digest if self.previous_secret_valid else None)
        if current:
            return "current"
        return "previous" if previous else None

    def check_secret(self, secret: str) -> bool:
        """True when ``secret`` matches (the current one, or the previous one within its grace period)."""
        return self.match_secret(secret) is not None


class Address(models.Model):
    """A postal address of the built-in order store."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    line3 = models.CharField(_("address line 3"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region_code = models.CharField(_("state / province code"), max_length=50, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=30, blank=True)
    country_name = models.CharField(_("country"), max_length=100, blank=True)
    country_code = models.CharField(_("ISO country code"), max_length=2, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return ", ".join(part for part in (name, self.line1, self.city) if part)


class ModifiedOnSave(models.Model):
    """Sets ``modified_at`` to now on every ``save()``.

    Not ``auto_now``: that would also overwrite the times of imported or
    bulk-created rows, which keep the ``modified_at`` they are given.
    """

    modified_at: models.DateTimeField[Any, Any]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.modified_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "modified_at"}
        super().save(*args, **kwargs)


class Order(ModifiedOnSave):
    """A sale (or a refund, with ``parent_number``) in the built-in order store.

    ``modified_at`` moves whenever the order, its lines, its discounts or its
    payments change through the ORM; Connex's modified-date window reads it.
    ``bulk_create()``, ``queryset.update()`` and raw SQL bypass that: set it there yourself.
    """

    number = models.CharField(_("order number"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=64, db_index=True)
    store_name = models.CharField(_("store"), max_length=100, blank=True, db_index=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    modified_at = models.DateTimeField(_("modified"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    total = _money("total")
    total_tax = _money("tax")
    shipping_excl_tax = _money("shipping excl. tax")
    shipping_incl_tax = _money("shipping incl. tax")
    shipping_method = models.CharField(_("shipping method"), max_length=100, blank=True)
    discount_excl_tax = _money("order discount excl. tax")
    discount_incl_tax = _money("order discount incl. tax")

    billing_address = models.ForeignKey(
        Address, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("billing address")
    )
    shipping_address = models.ForeignKey(
        Address, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("shipping address")
    )
    customer_id = models.PositiveBigIntegerField(_("customer id"), null=True, blank=True)
    customer_email = models.EmailField(_("customer email"), blank=True)
    customer_company = models.CharField(_("customer company"), max_length=200, blank=True)

    payment_method = models.CharField(
        _("payment method"), max_length=100, blank=True, help_text=_("As QuickBooks should name it: Visa, PayPal …")
    )
    payment_reference = models.CharField(
        _("gateway reference"), max_length=200, blank=True, help_text=_("The payment gateway's transaction id.")
    )
    tracking_number = models.CharField(_("tracking number"), max_length=200, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    private_note = models.TextField(_("private note"), blank=True)
    invoice_mode = models.CharField(
        _("QuickBooks transaction type"),
        max_length=40,
        blank=True,
        choices=[(mode, mode) for mode in sorted(INVOICE_MODES)],
        help_text=_("Optional Connex InvoiceMode override, e.g. SalesOrders."),
    )
    parent_number = models.CharField(
        _("original order number"), max_length=64, blank=True, help_text=_("For refunds: the sale refunded.")
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["modified_at", "id"]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """One line of an order: a product sold at unit prices, less a line discount."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="lines", verbose_name=_("order"))
    sku = models.CharField(_("SKU"), max_length=100)
    name = models.CharField(_("name"), max_length=255)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, default=Decimal("1"))
    unit_price_excl_tax = _money("unit price excl. tax")
    unit_price_incl_tax = _money("unit price incl. tax")
    discount_excl_tax = _money("line discount excl. tax", help_text=_("On the whole line, not per unit."))
    discount_incl_tax = _money("line discount incl. tax", help_text=_("On the whole line, not per unit."))
    tax_code = models.CharField(_("tax code"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class Discount(models.Model):
    """A coupon applied to an order."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="discounts", verbose_name=_("order"))
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=100, blank=True)
    amount = _money("amount", help_text=_("Positive."))
    non_taxable = models.BooleanField(_("non-taxable"), default=False)

    class Meta:
        verbose_name = _("discount")
        verbose_name_plural = _("discounts")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.code or self.name


class Payment(ModifiedOnSave):
    """One payment towards an order (an order may be paid in several)."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="payments", verbose_name=_("order"))
    amount = _money("amount")
    paid_at = models.DateTimeField(_("paid"), default=timezone.now)
    method = models.CharField(_("method"), max_length=100, blank=True, help_text=_("Visa, PayPal, Check …"))
    reference = models.CharField(_("gateway reference"), max_length=200, blank=True)
    deposit_account = models.CharField(_("deposit account"), max_length=200, blank=True)
    modified_at = models.DateTimeField(_("modified"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_at", "id"]

    def __str__(self) -> str:
        return f"{self.amount} {self.method}".strip()


@receiver(post_save, sender=OrderLine)
@receiver(post_delete, sender=OrderLine)
@receiver(post_save, sender=Discount)
@receiver(post_delete, sender=Discount)
@receiver(post_save, sender=Payment)
@receiver(post_delete, sender=Payment)
def _touch_order(sender: type[models.Model], instance: OrderLine | Discount | Payment, **kwargs: Any) -> None:
    # A change to a line, discount or payment is a change to the order: it must
    # reappear in Connex's next modified-date window.
    Order.objects.filter(pk=instance.order_id).update(modified_at=timezone.now())


class OrderChange(models.Model):
    """When a host order last changed, for hosts without a reliable modified time.

    Fed by :mod:`connex_bridge.changes` (signals on the models an order source
    names in ``track_changes``) and by ``manage.py connex_mark_changed``. The
    host order is named by its model label and primary key as text: never a
    foreign key to a host model.
    """

    source = models.CharField(_("order model"), max_length=100)
    order_key = models.CharField(_("order key"), max_length=64)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("order change")
        verbose_name_plural = _("order changes")
        constraints = [models.UniqueConstraint(fields=["source", "order_key"], name="connex_order_change_unique")]
        indexes = [models.Index(fields=["source", "changed_at"], name="connex_order_change_window")]

    def __str__(self) -> str:
        return f"{self.source} {self.order_key} @ {self.changed_at:%Y-%m-%d %H:%M:%S}"


class SyncLogEntry(models.Model):
    """One request Connex (or anyone) made to the Connex URLs, written when its answer has been sent.

    Never holds a secret or an ``Authorization`` header: the user name tried, the query string,
    a summary of the body, and what the answer held. The order numbers served are kept as
    ranges (:class:`SyncLogRange`), so a year's re-sync takes a few rows. Written by
    :mod:`connex_bridge.synclog`; ``manage.py connex_prune_log`` deletes entries older than
    ``CONNEX_BRIDGE["SYNC_LOG_DAYS"]``.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    credential = models.ForeignKey(
        ConnexCredential,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="log_entries",
        verbose_name=_("credential"),
    )
    username = models.CharField(_("user name tried"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, blank=True)
    method = models.CharField(_("method"), max_length=10)
    query = models.TextField(_("query string"), blank=True)
    body = models.CharField(_("body"), max_length=300, blank=True, help_text=_("A summary, never the body itself."))
    status = models.PositiveSmallIntegerField(_("status"))
    message = models.TextField(_("message sent"), blank=True)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    refunds = models.PositiveIntegerField(_("refunds"), default=0)
    payments = models.PositiveIntegerField(_("payments"), default=0)
    purchases = models.PositiveIntegerField(_("purchases"), default=0)
    products = models.PositiveIntegerField(_("products"), default=0)
    complete = models.BooleanField(_("answer complete"), default=True)
    bytes_sent = models.PositiveBigIntegerField(_("bytes sent"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    client_address = models.CharField(_("client address"), max_length=45, blank=True)
    #: The statuses of the orders served, which each range's ``statuses`` index.
    statuses = models.JSONField(_("statuses sent"), default=list, blank=True)

    class Meta:
        verbose_name = _("Connex request")
        verbose_name_plural = _("Connex requests (sync log)")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["credential", "-at"], name="connex_log_credential")]

    def __str__(self) -> str:
        return f"{self.method} {self.action or '/'} {self.status} @ {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status < 400 and self.complete


class SyncLogRange(models.Model):
    """The order numbers of one shape one :class:`SyncLogEntry` served in one list, with their statuses.

    ``D1001`` … ``D1950`` is ``prefix="D", first=1001, last=1950`` with ``numbers`` saying which of
    them (``"0,1*949"``: every one); refunds numbered ``D1042-R1`` are another group (``suffix="-R1"``).
    A number without digits is a group of its own with no ``first`` / ``last``. ``width`` is the digits'
    width when they are zero-padded (``0042``), else 0. See :func:`connex_bridge.synclog.number_groups`.
    """

    entry = models.ForeignKey(SyncLogEntry, models.CASCADE, related_name="ranges")
    list = models.CharField(_("list"), max_length=20)
    prefix = models.CharField(_("prefix"), max_length=100, blank=True)
    suffix = models.CharField(_("suffix"), max_length=100, blank=True)
    width = models.PositiveSmallIntegerField(_("width"), default=0)
    first = models.BigIntegerField(_("first"), null=True, blank=True)
    last = models.BigIntegerField(_("last"), null=True, blank=True)
    #: The steps from each number to the next, ascending, run-length encoded.
    numbers = models.TextField(_("numbers"), blank=True)
    #: Each number's status in the same order, as indexes into the entry's ``statuses``, run-length encoded.
    statuses = models.TextField(_("statuses"), blank=True)

    class Meta:
        verbose_name = _("order numbers served")
        verbose_name_plural = _("order numbers served")
        indexes = [models.Index(fields=["prefix", "first", "last"], name="connex_log_range_number")]

    def __str__(self) -> str:
        return f"{self.text} ({self.list})"

    @property
    def count(self) -> int:
        return sum(int(part.partition("*")[2] or 1) for part in self.numbers.split(",")) if self.numbers else 1

    @property
    def text(self) -> str:
        """``D1001–D1950`` (with how many of them, when not every one), or the one number."""
        if self.first is None or self.last is None:
            return self.prefix
        first, last = (f"{self.prefix}{n:0{self.width}d}{self.suffix}" for n in (self.first, self.last))
        if self.first == self.last:
            return first
        count = self.count
        return f"{first}–{last}" + ("" if count == self.last - self.first + 1 else f" ({count:,} of them)")

    def status_summary(self, names: Sequence[str], limit: int = 12) -> str:
        """``delivered ×40, paid, delivered ×3``: the statuses in number order (the first ``limit`` changes)."""
        parts = []
        changes = self.statuses.split(",") if self.statuses else []
        for part in changes[:limit]:
            index, _, count = part.partition("*")
            name = names[int(index)] if int(index) < len(names) else "?"
            parts.append(f"{name} ×{count}" if count else name)
        more = len(changes) - limit
        return ", ".join(parts) + (f", … ({more} more changes)" if more > 0 else "")


class Product(models.Model):
    """A product of the built-in store, whose stock level (and price) QuickBooks may set (``inventory``)."""

    sku = models.CharField(_("SKU"), max_length=100, unique=True, help_text=_("The QuickBooks item name."))
    name = models.CharField(_("name"), max_length=255, blank=True)
    stock_quantity = models.IntegerField(_("in stock"), default=0)
    tracks_stock = models.BooleanField(
        _("tracks stock"), default=True, help_text=_("Off for services and downloads: QuickBooks sets no stock level.")
    )
    price = _money("price", help_text=_("Before tax."))

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return self.sku


class PurchaseOrder(ModifiedOnSave):
    """A purchase order sent to a vendor, or a vendor's bill, in the built-in store (``purchaseorders``).

    ``modified_at`` moves on every save, and when a line is saved or deleted.
    ``total`` balances: Σ (quantity × unit cost) + shipping + tax.
    """

    class Type(models.TextChoices):
        PURCHASE_ORDER = "PurchaseOrder", _("purchase order")
        BILL = "Bill", _("bill")

    number = models.CharField(_("number"), max_length=64, unique=True)
    purchase_type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.PURCHASE_ORDER)
    status = models.CharField(_("status"), max_length=64, blank=True)
    vendor = models.CharField(_("vendor"), max_length=200, help_text=_("As QuickBooks names the vendor."))
    vendor_email = models.EmailField(_("vendor email"), blank=True)
    vendor_address = models.ForeignKey(
        Address, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("vendor address")
    )
    ship_to_address = models.ForeignKey(
        Address, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ship to")
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    modified_at = models.DateTimeField(_("modified"), default=timezone.now, db_index=True)
    shipping = _money("shipping")
    total_tax = _money("tax")
    total = _money("total")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["modified_at", "id"]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    """One line of a purchase order or bill: a quantity ordered at a unit cost, and how much arrived."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, models.CASCADE, related_name="lines", verbose_name=_("purchase order")
    )
    sku = models.CharField(_("SKU"), max_length=100)
    name = models.CharField(_("name"), max_length=255, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, default=Decimal("1"))
    quantity_received = models.DecimalField(_("received"), max_digits=14, decimal_places=4, default=Decimal("0"))
    unit_cost = _money("unit cost")

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


@receiver(post_save, sender=PurchaseOrderLine)
@receiver(post_delete, sender=PurchaseOrderLine)
def _touch_purchase_order(sender: type[models.Model], instance: PurchaseOrderLine, **kwargs: Any) -> None:
    # A changed line is a changed purchase order: it must reappear in Connex's next window.
    PurchaseOrder.objects.filter(pk=instance.purchase_order_id).update(modified_at=timezone.now())
