"""``purchaseorders``: the shop's purchase orders and bills of a window (docs/protocol.md §2–§4).

The query string is the one of ``orders``, read by the same
:class:`~connex_bridge.filters.OrderFilterSet` (same validation, same 400s);
the answer is a JMAUser whose ``Purchases`` list holds the purchases of the
configured :class:`~connex_bridge.purchases.PurchasesAdapter`, every other list
empty, streamed in one snapshot of the database like ``orders``::

    answer = PurchasesAnswer(credential, {"date_modified_min": "2024-05-01T00:00:00Z"})
    for record in answer.records(): ...      # PurchaseRecords
    body = b"".join(answer.stream())         # what Connex receives
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from django.http import QueryDict

from connex_bridge import wire
from connex_bridge.filters import OrderFilterSet
from connex_bridge.flows import InvalidInputError
from connex_bridge.flows.orders import _query_dict
from connex_bridge.models import ConnexCredential
from connex_bridge.purchases import PurchasesAdapter, get_purchases_adapter
from connex_bridge.records import PurchaseRecord
from connex_bridge.snapshot import read_in_snapshot, read_snapshot


class PurchasesAnswer:
    """The answer to one ``purchaseorders`` request of ``credential``.

    :class:`~connex_bridge.adapters.NotSupportedError` when the shop has no purchases to serve;
    :class:`~connex_bridge.flows.InvalidInputError` when a parameter is wrong. ``adapter``
    defaults to the configured one.
    """

    def __init__(
        self,
        credential: ConnexCredential,
        params: QueryDict | Mapping[str, str | Sequence[str]],
        *,
        adapter: PurchasesAdapter | None = None,
    ) -> None:
        self.credential = credential
        self.adapter = adapter if adapter is not None else get_purchases_adapter()
        filterset = OrderFilterSet(
            _query_dict(params),
            queryset=self.adapter.scope(self.adapter.get_queryset(credential), credential),
            source=self.adapter,
        )
        if not filterset.is_valid():
            raise InvalidInputError(filterset.error_message())
        self.queryset = filterset.qs
        #: The ``OrderNumber`` of each purchase sent, once a read has ended (for a sync log).
        self.numbers: list[str] = []

    @property
    def using(self) -> str:
        """The database alias the answer is read from."""
        return str(self.queryset.db)

    def _read(self) -> Iterator[PurchaseRecord]:
        self.numbers = []
        for record in self.adapter.iter_records(self.queryset):
            self.numbers.append(record.number)
            yield record

    def stream(self) -> Iterator[bytes]:
        """The JMAUser as JSON chunks, read in one snapshot that opens at the first chunk."""
        return read_in_snapshot(lambda: wire.stream_purchases(self._read()), using=self.using)

    def records(self) -> Iterator[PurchaseRecord]:
        """The records of the answer, read in one snapshot."""
        with read_snapshot(self.using):
            yield from self._read()
