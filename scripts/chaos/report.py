"""Figures: per-phase requests and errors, lost and duplicated work, lead notifications."""

from __future__ import annotations

from collections import Counter, defaultdict

from scripts.chaos import config
from scripts.chaos.clients import Http
from scripts.chaos.control import wait_until
from scripts.chaos.records import Phase, Recorder, Sample
from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import CHAT_SCRIPT


def phase_figures(phase: Phase, rec: Recorder) -> dict[str, object]:
    samples = [s for s in rec.samples if s.phase == phase.name]
    by_channel: dict[str, list[Sample]] = {"chat": [], "webhook": []}
    for s in samples:
        by_channel[s.channel].append(s)
    errors = {ch: Counter(s.kind for s in lst if not s.ok) for ch, lst in by_channel.items()}
    failed = [s for s in samples if not s.ok]
    slowest_error_ms = max(((s.ended - s.started) * 1000 for s in failed), default=0.0)
    recovery = 0.0
    if phase.fault_end is not None and failed:
        recovery = max(0.0, max(s.ended for s in failed) - phase.fault_end)
    latencies = sorted((s.ended - s.started) * 1000 for s in samples if s.ok)
    waits = [
        w.replied - w.acked
        for w in rec.wa_sends
        if w.phase == phase.name and w.replied is not None and w.acked is not None
    ]
    return {
        "wa_replies": len(waits),
        "wa_reply_max_s": max(waits, default=0.0),
        "wa_reply_p95_s": h.percentile(waits, 95),
        "requests": {ch: len(lst) for ch, lst in by_channel.items()},
        "errors": errors,
        "slowest_error_ms": slowest_error_ms,
        "recovery_s": recovery,
        "ok_p95_ms": h.percentile(latencies, 95),
        "ok_max_ms": latencies[-1] if latencies else float("nan"),
    }


def accounting(rec: Recorder, fake) -> dict[str, defaultdict[str, Counter]]:  # type: ignore[no-untyped-def]
    """Lost and duplicated work per phase, from the database and the fake Twilio's record."""
    from django.db import connections

    from channels.models import WhatsAppInbound, WhatsAppOutbound
    from conversations.models import Message
    from leads.models import Lead

    connections.close_all()  # the script's own connection may predate a PostgreSQL restart
    lost: defaultdict[str, Counter] = defaultdict(Counter)
    dups: defaultdict[str, Counter] = defaultdict(Counter)

    # /chat: every acknowledged turn is stored once; every lead a client was shown exists.
    acks = list(rec.chat_acks)
    stored_turns = set(
        Message.objects.filter(direction="in", turn_id__in=[a.turn_id for a in acks]).values_list(
            "turn_id", flat=True
        )
    )
    for a in acks:
        if a.turn_id not in stored_turns:
            lost[a.phase]["chat_turns"] += 1
    sessions = {a.session for a in acks}
    stored = Counter(
        Message.objects.filter(
            direction="in", conversation__channel="api", conversation__external_id__in=sessions
        ).values_list("conversation__external_id", "text")
    )
    acked = Counter((a.session, a.text) for a in acks)
    phase_of = {(a.session, a.text): a.phase for a in acks}
    for key, n in stored.items():
        if n > acked.get(key, 0) and key in phase_of:
            # A message stored more often than the client sent it successfully: a turn that was
            # committed although the client saw an error, and was then sent again.
            dups[phase_of[key]]["chat_turns"] += n - acked[key]
    lead_sessions = {a.session: a.phase for a in acks if a.lead_phone}
    with_lead = set(
        Lead.objects.filter(conversation__external_id__in=list(lead_sessions)).values_list(
            "conversation__external_id", flat=True
        )
    )
    for session, phase in lead_sessions.items():
        if session not in with_lead:
            lost[phase]["leads"] += 1

    # WhatsApp: every acknowledged MessageSid stored, processed, answered; every part sent once.
    sends = [s for s in rec.wa_sends if s.acked is not None]
    rows = {
        r["message_sid"]: r
        for r in WhatsAppInbound.objects.filter(message_sid__in=[s.sid for s in sends]).values(
            "message_sid", "status", "reply_group", "phone", "turn_id"
        )
    }
    for s in sends:
        row = rows.get(s.sid)
        if row is None:
            lost[s.phase]["wa_not_stored"] += 1
        elif row["status"] not in ("processed",):
            lost[s.phase][f"wa_{row['status']}"] += 1
            print(f"  unprocessed message: {s.sid} status={row['status']} phase={s.phase}")
    addresses = {s.address for s in rec.wa_sends}
    phase_of_address = {}
    for s in rec.wa_sends:
        phase_of_address.setdefault(s.address, s.phase)
    parts = WhatsAppOutbound.objects.filter(to_address__in=addresses)
    unsent = parts.exclude(status__in=["queued", "sent", "delivered", "read"])
    for row in unsent.values("to_address", "status", "kind", "attempts", "last_error", "group"):
        lost[phase_of_address[row["to_address"]]]["wa_parts_unsent"] += 1
        print(
            f"  unsent part: group={row['group']} kind={row['kind']} status={row['status']} "
            f"attempts={row['attempts']} last_error={row['last_error'][:120]!r}"
        )
    expected = Counter(parts.values_list("to_address", "body"))
    created = Counter((m["to"], m["body"]) for m in list(fake.created) if m["to"] in addresses)
    for (to_address, body), n in created.items():
        extra = n - expected.get((to_address, body), 0)
        if extra > 0:
            dups[phase_of_address[to_address]]["wa_sends"] += extra
    # A turn run twice for one batch of messages would show as more inbound turns than batches.
    phones = {r["phone"] for r in rows.values()}
    turns = Counter(
        Message.objects.filter(
            direction="in", conversation__channel="whatsapp", conversation__external_id__in=phones
        ).values_list("turn_id", flat=True)
    )
    batches = {r["turn_id"] for r in rows.values() if r["turn_id"]}
    extra_turns = sum(n for t, n in turns.items() if t not in batches) + sum(
        n - 1 for n in turns.values() if n > 1
    )
    if extra_turns:
        dups["(any phase)"]["wa_turns"] += extra_turns
    return {"lost": lost, "dups": dups}


def lead_notifications(rec: Recorder) -> defaultdict[str, Counter]:
    """Per phase: /chat conversations sent to the end with a lead, and those whose lead sales was
    never notified of. Every step sent means answered, or given up after an error (which may
    still have been committed)."""
    from django.db import connections

    from leads.models import Lead

    connections.close_all()
    acks = list(rec.chat_acks)
    lead_sessions = {a.session: a.phase for a in acks if a.lead_phone}
    steps = Counter(a.session for a in acks) + Counter(g[1] for g in rec.chat_given_up)
    complete = [s for s in lead_sessions if steps[s] >= len(CHAT_SCRIPT)]
    notified = set(
        Lead.objects.filter(
            conversation__external_id__in=complete, notified_at__isnull=False
        ).values_list("conversation__external_id", flat=True)
    )
    figures: defaultdict[str, Counter] = defaultdict(Counter)
    for session in complete:
        figures[lead_sessions[session]]["completed"] += 1
        figures[lead_sessions[session]]["not_notified"] += session not in notified
    return figures


def lead_sweep(rec: Recorder) -> tuple[defaultdict[str, Counter], defaultdict[str, Counter]]:
    """Lead notifications before and after one run of the leads sweep (``leads.lead_notify_sweep``,
    which beat runs every 60 s for leads older than 120 s: longer than this run), run now for
    every lead still not notified, as beat would a couple of minutes later."""
    before = lead_notifications(rec)
    if not sum(c["not_notified"] for c in before.values()):
        return before, before
    try:
        from leads.tasks import lead_notify_sweep
    except ImportError:
        return before, before
    lead_notify_sweep.delay(0.0)
    wait_until(
        lambda: not sum(c["not_notified"] for c in lead_notifications(rec).values()), 40, 1.0
    )
    return before, lead_notifications(rec)


def print_phase(
    phase: Phase,
    rec: Recorder,
    lost: Counter,
    dups: Counter,
    leads: Counter,
    leads_after_sweep: Counter,
) -> bool:
    print(f"\n== {phase.title}")
    if phase.skipped:
        print(f"  skipped: {phase.skipped}")
        return True
    f = phase_figures(phase, rec)
    req, err = f["requests"], f["errors"]
    print(
        f"  requests sent: /chat {req['chat']}, webhook {req['webhook']}  "  # type: ignore[index]
        f"(ok p95 {f['ok_p95_ms']:.0f} ms, ok max {f['ok_max_ms']:.0f} ms)"
    )
    print(
        f"  errors by kind: /chat {dict(err['chat']) or 0}, "  # type: ignore[index]
        f"webhook {dict(err['webhook']) or 0}; slowest failed request "  # type: ignore[index]
        f"{f['slowest_error_ms']:.0f} ms"
    )
    print(
        f"  WhatsApp replies: {f['wa_replies']}, p95 {f['wa_reply_p95_s']:.1f} s, slowest "
        f"{f['wa_reply_max_s']:.1f} s after the webhook's 200"
    )
    if phase.fault_start is not None and phase.fault_end is not None:
        print(
            f"  fault lasted {phase.fault_end - phase.fault_start:.1f} s; max recovery time "
            f"{f['recovery_s']:.2f} s after the dependency was back (last failed request)"
        )
    for note in phase.notes:
        print(f"  {note}")
    if leads["completed"]:
        print(
            f"  /chat conversations sent to the end with a lead: {leads['completed']}; sales not "
            f"notified by the end of the load: {leads['not_notified']}, after one run of the "
            f"leads sweep: {leads_after_sweep['not_notified']}"
        )
        phase.check(
            "every lead notified to sales (the sweep included)",
            leads_after_sweep["not_notified"] == 0,
        )
    n_lost, n_dups = sum(lost.values()), sum(dups.values())
    print(
        f"  messages lost: {n_lost} {dict(lost) if n_lost else ''}   "
        f"duplicates: {n_dups} {dict(dups) if n_dups else ''}"
    )
    phase.check("messages lost = 0", n_lost == 0)
    phase.check("duplicates = 0", n_dups == 0)
    ok = True
    for label, passed in phase.checks:
        print(f"  [{'ok' if passed else 'FAIL'}] {label}")
        ok &= passed
    return ok


def scrape(wanted: tuple[tuple[str, str], ...]) -> list[str]:
    """Non-zero counters of /metrics whose name starts with the first string of a pair and whose
    labels contain the second."""
    status, data = Http(config.PORT).get("/metrics")
    if status != 200:
        return [f"/metrics answered {status}"]
    lines = []
    for line in data.decode().splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, _, value = line.rpartition(" ")
        if not any(name.startswith(f) and part in name for f, part in wanted):
            continue
        if float(value) and (name.split("{")[0].endswith(("_count", "_total"))):
            lines.append(f"{name} {float(value):.0f}")
    return lines


def drain(rec: Recorder, fake) -> None:  # type: ignore[no-untyped-def]
    """Wait (bounded) until every acknowledged WhatsApp message has been answered."""
    wait_until(
        lambda: all(s.replied is not None or s.acked is None for s in list(rec.wa_sends)),
        30,
        0.2,
    )
