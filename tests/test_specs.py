"""connex_bridge.testing.specs: the one order generator of the demo, the benchmark and the bulk-writer tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connex_bridge.testing.specs import START, generate_specs

SPECS = generate_specs(3000, seed=11)
BY_NUMBER = {spec.number: spec for spec in SPECS}
SALES = [spec for spec in SPECS if not spec.parent_number]
REFUNDS = [spec for spec in SPECS if spec.parent_number]


def test_the_same_arguments_give_the_same_specs_and_another_seed_other_ones():
    assert repr(generate_specs(400, seed=2)) == repr(generate_specs(400, seed=2))
    assert repr(generate_specs(400, seed=3)) != repr(generate_specs(400, seed=2))
    later = START + dt.timedelta(days=400)
    assert {spec.number for spec in generate_specs(50, start=later)} == {spec.number for spec in generate_specs(50)}


def test_exactly_count_orders_numbered_as_quickbooks_keeps_them():
    assert len(SPECS) == 3000 and len(BY_NUMBER) == 3000
    assert [spec.number for spec in SALES] == [f"D{10001 + index}" for index in range(len(SALES))]
    assert max(len(spec.number) for spec in SPECS) <= 11  # QuickBooks keeps 11 characters


def test_every_order_balances_by_the_invariant_and_sales_are_paid_in_full():
    # docs/protocol.md §4, from the lines' own fields: Σ (qty × unit excl − line discount) − discount
    # + shipping + tax = total.
    for spec in SPECS:
        lines = sum(
            (line.quantity * line.unit_price_excl_tax - line.discount_excl_tax for line in spec.lines), Decimal(0)
        )
        assert lines - spec.discount + spec.shipping + spec.tax == spec.total, spec.number
        assert spec.total > 0 and spec.tax >= 0, spec.number
        assert sum(spec.payment_amounts) == spec.total, spec.number
        assert len(spec.payment_method_list) == len(spec.payment_amounts)
        assert all(amount > 0 for amount in spec.payment_amounts), spec.number


def test_tax_applies_to_taxable_lines_only_rounded_per_line():
    taxed = [(spec, line) for spec in SPECS for line in spec.lines if spec.tax_rate and line.taxable]
    untaxed = [(spec, line) for spec in SPECS for line in spec.lines if spec.tax_rate and not line.taxable]

    assert taxed and untaxed
    assert all(spec.unit_price_incl_tax(line) > line.unit_price_excl_tax for spec, line in taxed)
    assert all(spec.unit_price_incl_tax(line) == line.unit_price_excl_tax for spec, line in untaxed)
    assert {spec.tax_rate for spec in SPECS} == {Decimal("0"), Decimal("0.0625")}


def test_the_month_looks_like_a_shop():
    assert {spec.store for spec in SPECS} == {"Web", "Amazon", "eBay"}
    assert {spec.status for spec in SALES} == {"paid", "packed", "dispatched", "delivered", "cancelled"}
    assert {spec.status for spec in REFUNDS} == {"refunded"}
    assert 0.04 < len(REFUNDS) / len(SPECS) < 0.1
    assert any(spec.shipping > 0 and spec.shipping_tax > 0 for spec in SPECS)
    assert any(spec.shipping > 0 and spec.shipping_tax == 0 for spec in SPECS)
    assert any(spec.discount and spec.discount_code == "WELCOME10" for spec in SPECS)
    assert any(spec.discount and spec.discount_tax == 0 for spec in SPECS)  # a coupon lowering no tax
    assert any(line.discount_excl_tax > 0 for spec in SPECS for line in spec.lines)
    split = [spec for spec in SPECS if len(spec.payment_amounts) == 2]
    assert split and all(spec.payment_method_list[0] == "Gift Card" for spec in split)
    assert all(spec.payment_method == spec.payment_method_list[-1] for spec in SPECS)  # the one that settled it
    names = {
        f"{spec.billing_address.first_name} {spec.billing_address.last_name}" for spec in SPECS if spec.billing_address
    }
    assert any(not name.isascii() for name in names)
    assert any(spec.note and not spec.note.isascii() for spec in SPECS)
    gifts = [spec for spec in SALES if spec.shipping_address is not None]
    assert gifts and all(spec.shipping_address != spec.billing_address for spec in gifts)
    shipped = [spec for spec in SALES if spec.status in ("dispatched", "delivered")]
    assert all(spec.tracking_number and spec.shipped_at for spec in shipped)
    assert not any(spec.tracking_number for spec in SPECS if spec not in shipped)


def test_refunds_follow_a_shipped_sale_and_never_pay_back_more_than_it_took():
    for refund in REFUNDS:
        sale = BY_NUMBER[refund.parent_number]
        assert refund.number.startswith(f"{sale.number}-R") and not sale.parent_number
        assert sale.status in ("dispatched", "delivered") and len(sale.payment_amounts) == 1
        assert sale.created_at < refund.created_at <= sale.modified_at  # a refund is a change to the sale
        assert refund.number in sale.private_note
        assert (refund.store, refund.email, refund.billing_address) == (sale.store, sale.email, sale.billing_address)
    for number in {refund.parent_number for refund in REFUNDS}:
        assert sum(r.total for r in REFUNDS if r.parent_number == number) <= BY_NUMBER[number].total


def test_everything_happens_inside_the_span():
    start = dt.datetime(2024, 11, 1, 12, tzinfo=dt.timezone.utc)
    specs = generate_specs(500, seed=4, start=start, span=dt.timedelta(days=3))
    for spec in specs:
        assert spec.created_at is not None and spec.modified_at is not None
        moments = [spec.created_at, spec.modified_at, spec.paid_at, spec.shipped_at]
        assert all(start <= moment <= start + dt.timedelta(days=3) for moment in moments if moment), spec.number
        assert spec.created_at <= spec.modified_at
    sales = [spec.created_at for spec in specs if not spec.parent_number]
    assert sales == sorted(sales)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        generate_specs(0)
    with pytest.raises(ValueError, match="aware"):
        generate_specs(5, start=dt.datetime(2025, 1, 1))
