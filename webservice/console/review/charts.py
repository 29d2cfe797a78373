"""Charts drawn on the server: bars as plain HTML (so labels read right-to-left in Arabic) and
lines as inline SVG. No chart library, no CDN, nothing to build; the figures come from
:mod:`insights` tables and every chart has its table and CSV next to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

COLOURS = ("#1f6feb", "#c4320a", "#0f7b3f", "#6941c6")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    share: float  # of the longest bar, 0..100 (the bar's length)
    shown: str  # the value as printed next to the bar


def bars(items: Sequence[tuple[str, float | None]], percent_of: float | None = None) -> list[Bar]:
    """Bars scaled to the largest value; ``percent_of`` adds "(42 %)" of that total to each."""
    values = [v or 0 for _, v in items]
    top = max(values, default=0) or 1
    out = []
    for (label, _), value in zip(items, values, strict=True):
        shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        if percent_of:
            shown += f" ({100 * value / percent_of:.0f} %)"
        out.append(Bar(label, value, round(100 * value / top, 1), shown))
    return out


def line_svg(
    labels: Sequence[str], series: dict[str, Sequence[float | None]], percent: bool = False
) -> Markup:
    """A small multi-line chart (one line per series) with the first and last period labelled."""
    width, height, pad_x, pad_y = 420, 170, 34, 20
    points = [v for values in series.values() for v in values if v is not None]
    top = max(points, default=0) or 1
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return pad_x + (width - 2 * pad_x) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return height - pad_y - (height - 2 * pad_y) * (v / top)

    parts = [
        f'<svg class="line-chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(", ".join(series))}">',
        f'<line class="axis" x1="{pad_x}" y1="{height - pad_y}" x2="{width - pad_x}" y2="{height - pad_y}"/>',
        f'<text x="2" y="{pad_y}">{_tick(top, percent)}</text><text x="2" y="{height - pad_y}">0</text>',
    ]
    for colour, (name, values) in zip(COLOURS, series.items(), strict=False):
        coords = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if not coords:
            continue
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coords)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}">'
            f"<title>{escape(name)}</title></polyline>"
        )
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>' for px, py in coords]
    if labels:
        parts.append(f'<text x="{pad_x}" y="{height - 2}">{escape(labels[0])}</text>')
        if len(labels) > 1:
            parts.append(
                f'<text x="{width - pad_x}" y="{height - 2}" text-anchor="end">{escape(labels[-1])}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _tick(value: float, percent: bool) -> str:
    return f"{100 * value:.0f}%" if percent else (f"{value:,.0f}" if value >= 10 else f"{value:.1f}")
