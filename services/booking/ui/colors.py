"""Brand colour arithmetic: a configured colour made safe for text and buttons (WCAG AA contrast)."""
from __future__ import annotations

import re

DEFAULT = "#2f6f62"
PAGE_BACKGROUND = "#fbf8f3"
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse(color: str | None) -> tuple[int, int, int]:
    """`#abc` or `#aabbcc` as RGB; anything else (a typo, an attempt at CSS injection) is the default."""
    value = (color or "").strip()
    if not _HEX.match(value):
        value = DEFAULT
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def to_hex(rgb) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(rgb, other, weight: float):
    """`weight` of `other` blended into `rgb`."""
    return tuple(c + (o - c) * weight for c, o in zip(rgb, other))


def palette(color: str | None) -> dict[str, str]:
    """The brand colour darkened just enough to carry white text and to read as text on the page."""
    rgb, white, page = parse(color), (255, 255, 255), parse(PAGE_BACKGROUND)
    for step in range(101):
        safe = mix(rgb, (0, 0, 0), step / 100)
        if contrast(safe, white) >= 4.6 and contrast(safe, page) >= 4.6:
            break
    return {
        "brand": to_hex(safe),
        "brand_strong": to_hex(mix(safe, (0, 0, 0), 0.25)),
        "brand_soft": to_hex(mix(safe, white, 0.9)),
        "brand_softer": to_hex(mix(safe, white, 0.95)),
    }
