"""Server-side SVG charts for the back office (no JavaScript, no CDN: the admin works offline).

Every chart is plain SVG with a ``<title>`` for screen readers and ``data-*`` attributes carrying
the numbers it draws, so tests (and the browser test) can read the values off the picture. All
text goes through ``format_html``/``escape``: agent names and labels are never trusted markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0b3dd9", "#2f80ed", "#56ccf2", "#f2994a", "#27ae60", "#eb5757", "#9b51e0")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _svg(*, width: int, height: int, title: str, body: list[str], name: str) -> SafeString:
    # Pieces in ``body`` are already escaped/formatted by the callers below.
    return mark_safe(  # noqa: S308  # nosec B308 B703 - every piece is escaped by its caller
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bo-chart" data-chart="{escape(name)}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'style="max-width:{width}px" {FONT}><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: int
    note: str = ""  # printed after the value (e.g. "62% del paso anterior")


def funnel_svg(*, bars: Sequence[Bar], title: str) -> SafeString:
    """Horizontal bars, widest first: one per funnel stage, with its count and note."""
    width, label_w, row_h = 720, 130, 34
    top = max((bar.value for bar in bars), default=0) or 1
    plot = width - label_w - 250  # room after the longest bar for its value and note
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = 8 + i * row_h
        w = max(round(plot * bar.value / top), 2 if bar.value else 0)
        body.append(
            format_html(
                '<g class="bar" data-key="{}" data-value="{}">'
                '<text x="{}" y="{}" text-anchor="end" fill="#333">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"></rect>'
                '<text x="{}" y="{}" fill="#111"><tspan font-weight="bold">{}</tspan> {}</text>'
                "</g>",
                bar.key,
                bar.value,
                label_w - 8,
                y + 17,
                bar.label,
                label_w,
                y,
                w,
                row_h - 10,
                PALETTE[0] if bar.key != "handoff" else PALETTE[3],
                label_w + w + 8,
                y + 17,
                bar.value,
                bar.note,
            )
        )
    return _svg(width=width, height=16 + len(bars) * row_h, title=title, body=body, name="funnel")


def stacked_bars_svg(
    *,
    rows: Sequence[tuple[str, dict[str, int]]],
    series: Sequence[tuple[str, str]],
    title: str,
    name: str,
) -> SafeString:
    """One horizontal stacked bar per row (e.g. a salesperson), one segment per series (status),
    with a legend. ``series`` is ``(key, label)`` in drawing order."""
    width, label_w, row_h = 720, 150, 30
    top = max((sum(values.values()) for _, values in rows), default=0) or 1
    plot = width - label_w - 60
    body: list[str] = []
    for i, (_key, label) in enumerate(series):
        x: float = 10 + (i % 4) * 175
        y = 6 + (i // 4) * 18
        body.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                '<text x="{}" y="{}" fill="#333">{}</text>',
                x,
                y,
                PALETTE[i % len(PALETTE)],
                x + 16,
                y + 10,
                label,
            )
        )
    legend_h = 12 + ((len(series) + 3) // 4) * 18
    for r, (row_label, values) in enumerate(rows):
        y = legend_h + r * row_h
        body.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="#333">{}</text>',
                label_w - 8,
                y + 15,
                row_label,
            )
        )
        x = float(label_w)
        for i, (key, label) in enumerate(series):
            value = values.get(key, 0)
            if not value:
                continue
            w = plot * value / top
            body.append(
                format_html(
                    '<rect class="segment" data-row="{}" data-key="{}" data-value="{}" x="{}" '
                    'y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {}</title></rect>',
                    row_label,
                    key,
                    value,
                    f"{x:.1f}",
                    y,
                    f"{w:.1f}",
                    row_h - 10,
                    PALETTE[i % len(PALETTE)],
                    row_label,
                    value,
                    label,
                )
            )
            x += w
        body.append(
            format_html(
                '<text x="{}" y="{}" font-weight="bold" fill="#111">{}</text>',
                f"{x + 6:.1f}",
                y + 15,
                sum(values.values()),
            )
        )
    height = legend_h + max(len(rows), 1) * row_h + 6
    return _svg(width=width, height=height, title=title, body=body, name=name)


def columns_svg(
    *,
    columns: Sequence[tuple[str, int]],
    title: str,
    name: str,
    markers: Sequence[tuple[str, float, str]] = (),
    tooltips: Sequence[str] = (),
) -> SafeString:
    """Vertical columns (a histogram or a daily series) with optional vertical marker lines at a
    fractional column position: ``(label, position, colour)`` where 0 is the left edge of the
    first column and ``len(columns)`` the right edge of the last. ``tooltips`` replace the
    default "label: value" hover text of each column."""
    width, height, bottom, left = 720, 220, 36, 36
    top = max((value for _, value in columns), default=0) or 1
    slot = (width - left - 10) / max(len(columns), 1)
    plot_h = height - bottom - 40  # room above the tallest column for its value and markers
    every = max(1, len(columns) // 12)  # at most ~12 axis labels
    body: list[str] = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"></line>',
            left,
            height - bottom,
            width - 10,
            height - bottom,
        )
    ]
    for i, (label, value) in enumerate(columns):
        h = plot_h * value / top
        x = left + i * slot
        body.append(
            format_html(
                '<g class="column" data-key="{}" data-value="{}">'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
                "{}</g>",
                label,
                value,
                f"{x + slot * 0.12:.1f}",
                f"{height - bottom - h:.1f}",
                f"{slot * 0.76:.1f}",
                f"{h:.1f}",
                PALETTE[1],
                tooltips[i] if i < len(tooltips) else f"{label}: {value}",
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="#111">{}</text>',
                    f"{x + slot / 2:.1f}",
                    f"{height - bottom - h - 4:.1f}",
                    value,
                )
                if value
                else "",
            )
        )
        if i % every == 0:
            body.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="#555" font-size="10">{}</text>',
                    f"{x + slot / 2:.1f}",
                    height - bottom + 14,
                    label,
                )
            )
    body += _column_markers(markers, left=left, slot=slot, width=width, baseline=height - bottom)
    return _svg(width=width, height=height, title=title, body=body, name=name)


def _column_markers(
    markers: Sequence[tuple[str, float, str]], *, left: int, slot: float, width: int, baseline: int
) -> list[str]:
    """The vertical marker lines of ``columns_svg``, from the top down to the baseline."""
    body: list[str] = []
    for i, (label, position, colour) in enumerate(markers):
        x = left + position * slot
        # Each label sits on the side of its line with room for it (never cut by the edge of
        # the chart), and on its own row so two close markers never overlap.
        anchor, dx = ("start", 4) if x < width / 2 else ("end", -4)
        body.append(
            format_html(
                '<g class="marker" data-key="{}"><line x1="{}" y1="4" x2="{}" y2="{}" '
                'stroke="{}" stroke-width="2" stroke-dasharray="5 3"></line>'
                '<text x="{}" y="{}" fill="{}" font-weight="bold" text-anchor="{}">{}</text>'
                "</g>",
                label,
                f"{x:.1f}",
                f"{x:.1f}",
                baseline,
                colour,
                f"{x + dx:.1f}",
                14 + 14 * (i % 2),
                colour,
                anchor,
                label,
            )
        )
    return body


def ratio_svg(*, part: int, whole: int, title: str, name: str, label: str) -> SafeString:
    """A single 100% bar: ``part`` of ``whole`` highlighted, with the percentage."""
    width, height = 720, 54
    share = part / whole if whole else None
    w = round((width - 20) * (share or 0))
    body: list[str] = [
        format_html(
            '<rect x="10" y="6" width="{}" height="22" rx="4" fill="#e3e8f0"></rect>'
            '<rect class="part" data-value="{}" data-whole="{}" x="10" y="6" width="{}" '
            'height="22" rx="4" fill="{}"></rect>'
            '<text x="10" y="46" fill="#111"><tspan font-weight="bold">{}</tspan> {}</text>',
            width - 20,
            part,
            whole,
            w,
            PALETTE[3],
            _percent(share),
            label,
        )
    ]
    return _svg(width=width, height=height, title=title, body=body, name=name)
