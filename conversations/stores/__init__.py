"""Conversation state stores: PostgreSQL (the truth, optional Redis cache; ``db``) or process
memory (``memory``).

Both serialise the turns of one session: ``locked()`` holds a row lock (``SELECT … FOR UPDATE``
inside a transaction) or a per-session mutex until the turn is saved, so two messages for the same
session at the same moment are processed one after the other and no update is lost.
"""

from conversations.stores.db import DbStateStore
from conversations.stores.memory import MemoryStateStore

__all__ = ["DbStateStore", "MemoryStateStore"]
