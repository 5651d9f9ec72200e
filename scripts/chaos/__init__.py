"""`make chaos`: the product under steady load while its dependencies fail, with figures.

The product as it runs in production, on loopback: gunicorn (3 sync workers, Prometheus
multiprocess mode) on PostgreSQL + Redis, one Celery worker (acks late, 3 processes) and Celery
beat (the pending-work sweep), Twilio replaced by the fake REST server, the LLM (scenario c) by
the local Chat Completions stub. A database of its own (``kavak_chaos_ops``, recreated), Redis
database 10 with a key prefix of its own. Steady load all along: scripted 10-turn conversations
on ``POST /chat`` (clients retry 503, 409 and connection errors every 0.2 s, one
``Idempotency-Key`` per message, as a client honouring ``Retry-After`` would, only sooner, so
that recovery is measured to the tenth of a second) and
WhatsApp customers posting signed webhooks (redelivered every 0.5 s until a 200, as Twilio
retries) and waiting for each reply before the next message.

Scenarios, each bounded in time:
  (a) PostgreSQL stopped (fast shutdown) and started again ~5 s later;
  (b) Redis stopped (``shutdown nosave``: queue, claims and cache are gone) for ~6 s, with
      duplicate deliveries sent while it is down;
  (d) a Celery worker killed mid-task, while a Twilio send is in flight: first its pool processes
      (SIGKILL), then the whole worker (SIGKILL of its process group, replaced at once);
  (c) the LLM slow (10 s per answer) and then failing (HTTP 500), then healthy again — only when
      the LLM support (``conversations/llm/circuit.py``) and its stub are present;
  (e) slow clients: 3, then 12, sending a body at 1 byte/s to gunicorn gthread workers started
      with production settings, while ordinary /chat turns must keep their latency, then deeply
      nested JSON on /chat and /web/chat (a JSON 400) (``scripts/slow_clients.py``; alone,
      touching no shared server: ``make chaos-slow-clients``).

Printed per scenario: requests sent, errors by kind, the slowest failed request, the recovery time
(last failure minus the moment the dependency was back), messages lost and duplicates. Exit status
1 if a must-be-zero figure is not zero or a scenario's own check fails. PostgreSQL and Redis are
always started again in ``finally``; outages stay under 10 s (other test runs share both servers).

A package, one module per part: ``config`` (the figures above), ``records`` (what the load
records), ``clients`` (the load generators), ``control`` (the run lock, PostgreSQL, Redis and the
product's processes), ``scenarios``, ``report`` (figures and accounting) and ``run`` (the order of
it all, the command line). ``make chaos`` runs ``python -m scripts.chaos`` from the
repository root; ``scripts/soak.py`` reuses its parts, and the stack itself comes from
``tests.support.whatsapp_harness``.
"""
