"""The benchmark's floor endpoint: served next to every product URL by the benchmark's urlconf
(scripts/bench_urls.py), never by the product's. ``scripts`` is a package importable from the
repository root, as the benchmark scripts run (``python -m scripts.bench_chat``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from conversations.models import Conversation
from kavak import urls as product_urls
from tests.support import ROOT


def test_the_product_serves_no_floor_endpoint(client: Client) -> None:
    assert settings.ROOT_URLCONF == "kavak.urls"
    with pytest.raises(Resolver404):
        resolve("/bench/floor/1")
    assert client.post("/bench/floor/1").status_code == 404
    # No switch of the product mounts it: the old setting is gone for good.
    assert not hasattr(settings, "BENCH_FLOOR_ENABLED")
    assert not (ROOT / "kavak" / "bench.py").exists()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="scripts.bench_urls")
def test_the_floor_is_one_locked_read_and_write_of_a_conversation(client: Client) -> None:
    conversation = Conversation.objects.create(channel="api", external_id="floor", version=4)

    response = client.post(f"/bench/floor/{conversation.pk}")

    assert response.status_code == 200
    assert response.json() == {"id": conversation.pk, "version": 5}
    conversation.refresh_from_db()
    assert conversation.version == 5


@pytest.mark.django_db
def test_the_bench_urlconf_keeps_every_product_url_and_its_error_pages(client: Client) -> None:
    product_404 = client.get("/api/no-such-resource")
    with override_settings(ROOT_URLCONF="scripts.bench_urls"):
        from scripts import bench_urls

        assert bench_urls.urlpatterns[1:] == product_urls.urlpatterns
        assert client.get("/healthz").json() == {"status": "ok"}
        bench_404 = client.get("/api/no-such-resource")
    # The product's JSON 404, not Django's HTML page: the handlers came along.
    assert bench_404.status_code == product_404.status_code == 404
    assert bench_404.json().keys() == product_404.json().keys()
    assert bench_404.json()["error"] == product_404.json()["error"] == "not_found"


def test_the_benchmark_servers_start_on_the_bench_urlconf(tmp_path: Path) -> None:
    """The variables bench-chat and bench-whatsapp give gunicorn and manage.py: enough to find the
    bench urlconf from any working directory (here not the repository root)."""
    from scripts import bench_chat
    from tests.support.whatsapp_harness import bench_floor_variables

    variables = bench_floor_variables()
    assert bench_chat.env().items() >= variables.items()

    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.urls import resolve; "
        "print(settings.ROOT_URLCONF, resolve('/bench/floor/7').url_name)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["scripts.bench_urls", "bench-floor"]


def test_a_server_left_on_the_port_stops_the_benchmark_before_it_measures_it() -> None:
    """An interrupted run's gunicorn would answer /healthz for the new one and be measured in
    its place: the benchmark refuses a taken port."""
    import socket

    from tests.support.whatsapp_harness import ensure_port_free

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"port {port} is taken"):
            ensure_port_free(port)
    ensure_port_free(port)  # closed: free again
