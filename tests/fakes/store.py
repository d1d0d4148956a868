"""An in-memory stand-in for ``consumer.db.store.Store`` in the pipeline's unit tests."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence

from consumer.db.insights import StoredInsight
from consumer.db.store import NewInsight
from consumer.errors import StoreUnavailableError


class FakeStore:
    """Keeps rows in a dict, idempotent on ``event_id`` like the real store: a second save of an
    event returns the first row, not created. ``fail`` makes the next look-up raise."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, StoredInsight] = {}
        self.fail = False
        self.lookups = 0
        self.saved: list[NewInsight] = []  # every item asked to be saved, in order

    async def find_many(self, event_ids: Sequence[uuid.UUID]) -> list[StoredInsight | None]:
        if self.fail:
            raise StoreUnavailableError("PostgreSQL unreachable")
        self.lookups += len(event_ids)
        return [self.rows.get(e) for e in event_ids]

    async def save_many(self, items: Sequence[NewInsight]) -> list[StoredInsight]:
        out = []
        self.saved.extend(items)
        for item in items:
            existing = self.rows.get(item.event.event_id)
            if existing is not None:
                out.append(existing)
                continue
            stored = item.stored(record_id=len(self.rows) + 1, unique_id=uuid.uuid4().hex)
            self.rows[item.event.event_id] = dataclasses.replace(stored, created=False)
            out.append(stored)
        return out
