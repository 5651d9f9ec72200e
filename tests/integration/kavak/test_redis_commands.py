"""kavak.redis_commands: the held connection follows the cache settings and never crosses a fork."""

from __future__ import annotations

import copy
import os

from django.conf import settings
from django.test import override_settings

from kavak.redis_commands import redis_command


def _db_of_this_connection() -> int:
    info = redis_command("CLIENT", "INFO")
    info = info.decode() if isinstance(info, bytes) else info
    fields = dict(part.split("=", 1) for part in info.split() if "=" in part)
    return int(fields["db"])


def test_a_changed_cache_setting_moves_the_held_connection() -> None:
    location = settings.CACHES["default"]["LOCATION"]
    base, _, db = location.rpartition("/")
    other_db = (int(db) + 1) % 16
    other = copy.deepcopy(settings.CACHES)
    other["default"]["LOCATION"] = f"{base}/{other_db}"

    assert _db_of_this_connection() == int(db)
    with override_settings(CACHES=other):
        assert _db_of_this_connection() == other_db
    assert _db_of_this_connection() == int(db)  # back on the suite's database


def test_a_forked_child_opens_its_own_connection_and_the_parent_keeps_its_own() -> None:
    parent_id = redis_command("CLIENT", "ID")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its connection id, never return into pytest
        status = 1
        try:
            os.write(write_end, str(redis_command("CLIENT", "ID")).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    child_id = int(os.read(read_end, 64).decode())
    os.close(read_end)
    assert os.waitstatus_to_exitcode(status) == 0
    assert child_id != parent_id
    assert redis_command("CLIENT", "ID") == parent_id  # the parent's socket was left alone
