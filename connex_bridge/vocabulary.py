"""Connex's vocabulary: the enum names, the cancelled status and the money helpers.

A leaf module (it imports nothing of connex_bridge), so the models, the wire
format, the sources and the test helpers all take these from one place.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: Connex's InvoiceMode enum (docs/protocol.md §4). Json.NET rejects the whole
#: response on an unknown name, so only these are ever sent.
INVOICE_MODES = frozenset(
    [
        "None",
        "DoNotSyncSales",
        "SalesReceipts",
        "Invoices",
        "InvoicesNoPayments",
        "Estimates",
        "SummarySalesReceipt",
        "SummaryInvoice",
        "PurchaseOrders",
        "Expense",
        "CreditMemo",
        "Payments",
        "Bill",
        "Deposit",
        "SalesOrders",
        "SalesOrdersNoInvoicePaymentsOnly",
        "SalesOrdersInvoices",
        "SalesOrdersInvoicesPO",
        "SummarySalesOrder",
        "PurchaseOrdersBills",
        "WorkOrders",
        "JournalEntries",
    ]
)

#: The ``OrderStatus`` of every order in ``CancelledOrders``.
CANCELLED_STATUS = "Cancelled"

#: Zero with two decimal places: the default of every amount.
ZERO = Decimal("0.00")
#: One cent.
CENT = Decimal("0.01")
#: One unit: the default quantity of a line.
ONE = Decimal("1")


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to the cent (how shops and QuickBooks round amounts)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_minor_units(value: Decimal) -> int:
    """``value`` in whole cents (``Decimal("12.34")`` → ``1234``), rounded half-up like :func:`cents`."""
    return int(cents(value) * 100)


def from_minor_units(value: int) -> Decimal:
    """Whole cents as an amount (``1234`` → ``Decimal("12.34")``), exact."""
    return Decimal(value).scaleb(-2)
