"""``orders``: the sales, refunds and payments of a window (docs/protocol.md §3–§4).

:class:`OrdersAnswer` is prepared from a credential and the query parameters
(a bad parameter raises :class:`~connex_bridge.flows.InvalidInputError` with the
message Connex shows the merchant), then either yields the records of the
answer or streams its JSON bytes. Both read in one snapshot of the database
(:mod:`connex_bridge.snapshot`), so orders, lines and payments agree. Once a
read has ended, :attr:`OrdersAnswer.served` says what it held.

    answer = OrdersAnswer(credential, {"date_modified_min": "2024-05-01T00:00:00Z",
                                       "date_modified_max": "2024-05-02T00:00:00Z"})
    for record in answer.records(): ...        # OrderRecords, then the PaymentRecords
    body = b"".join(answer.stream())           # what Connex receives
    answer.served.order_numbers, answer.served.payment_count
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.http import QueryDict

from connex_bridge import wire
from connex_bridge.filters import OrderFilterSet
from connex_bridge.flows import InvalidInputError
from connex_bridge.models import ConnexCredential
from connex_bridge.records import OrderRecord, PaymentRecord
from connex_bridge.snapshot import read_in_snapshot, read_snapshot
from connex_bridge.sources import OrderSource, get_order_source


@dataclass
class Served:
    """What one read of an answer held, filled in as it is read (for a sync log).

    ``complete`` turns true once the read has reached its end; a stream the
    client abandoned, or that failed, leaves it false.
    """

    #: The ``OrderNumber`` of each order in ``Orders``, in the order sent.
    order_numbers: list[str] = field(default_factory=list)
    #: The ``OrderNumber`` of each refund or cancelled order in ``CancelledOrders``.
    refund_numbers: list[str] = field(default_factory=list)
    #: The ``OrderStatus`` of each, in the same order.
    order_statuses: list[str] = field(default_factory=list)
    refund_statuses: list[str] = field(default_factory=list)
    #: How many entries ``Payments`` held.
    payment_count: int = 0
    complete: bool = False

    @property
    def refund_count(self) -> int:
        """How many entries ``CancelledOrders`` held."""
        return len(self.refund_numbers)


class OrdersAnswer:
    """The answer to one ``orders`` request of ``credential``.

    ``params`` are the query parameters as Connex sends them (a ``QueryDict``,
    or a mapping of names to strings); :class:`InvalidInputError` when one is
    wrong. ``source`` defaults to the configured order source.
    """

    def __init__(
        self,
        credential: ConnexCredential,
        params: QueryDict | Mapping[str, str | Sequence[str]],
        *,
        source: OrderSource | None = None,
    ) -> None:
        self.credential = credential
        self.source = source if source is not None else get_order_source()
        filterset = OrderFilterSet(
            _query_dict(params),
            queryset=self.source.scope(self.source.get_queryset(credential), credential),
            source=self.source,
        )
        if not filterset.is_valid():
            raise InvalidInputError(filterset.error_message())
        self.queryset = filterset.qs
        self.statuses = filterset.order_statuses
        self.served = Served()

    @property
    def using(self) -> str:
        """The database alias the answer is read from."""
        return str(self.queryset.db)

    def stream(self) -> Iterator[bytes]:
        """The JMAUser as JSON chunks, read in one snapshot that opens at the first chunk.

        The protocol has no pagination, so a year's re-sync is one answer: memory holds a chunk of
        orders at a time (the built-in source holds nothing back at all).
        """

        def produce() -> Iterator[bytes]:
            records, payments = self._read()
            yield from wire.stream_user(records, refunds_last=self.source.refunds_last, payments=payments)
            self.served.complete = True

        return read_in_snapshot(produce, using=self.using)

    def records(self) -> Iterator[OrderRecord | PaymentRecord]:
        """The records of the answer, read in one snapshot.

        First every :class:`~connex_bridge.records.OrderRecord` in the order the source reads them
        (``is_cancelled`` says whether it goes to ``Orders`` or ``CancelledOrders``), then the
        :class:`~connex_bridge.records.PaymentRecord` of the ``Payments`` list.
        """
        with read_snapshot(self.using):
            records, payments = self._read()
            carried: list[PaymentRecord] = []
            for record in records:
                yield record
                if payments is None and not record.is_cancelled:
                    carried.extend(record.payments)
            yield from carried if payments is None else payments
            self.served.complete = True

    def _read(self) -> tuple[Iterator[OrderRecord], Iterable[PaymentRecord] | None]:
        """The source's records and its separate payments (or None), counted into :attr:`served`."""
        self.served = served = Served()
        payments = self.source.iter_payments(self.queryset, self.statuses)
        reads_payments_apart = payments is not None

        def records() -> Iterator[OrderRecord]:
            for record in self.source.iter_records(self.queryset, self.statuses):
                if record.is_cancelled:
                    served.refund_numbers.append(record.number)
                    served.refund_statuses.append(record.status)
                else:
                    served.order_numbers.append(record.number)
                    served.order_statuses.append(record.status)
                    if not reads_payments_apart:
                        served.payment_count += len(record.payments)
                yield record

        def counted(entries: Iterable[PaymentRecord]) -> Iterator[PaymentRecord]:
            for entry in entries:
                served.payment_count += 1
                yield entry

        return records(), (counted(payments) if payments is not None else None)


def _query_dict(params: QueryDict | Mapping[str, str | Sequence[str]]) -> QueryDict:
    """``params`` as the ``QueryDict`` the FilterSet reads; a list value is a repeated parameter."""
    if isinstance(params, QueryDict):
        return params
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, [value] if isinstance(value, str) else [str(item) for item in value])
    return query
