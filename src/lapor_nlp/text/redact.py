"""Replace personal data (NIK/KK, phone, e-mail, names) with typed placeholders, changing nothing else."""

from __future__ import annotations

from lokal import detect_pii

_TYPES = {"NIK": "[NIK]", "KK": "[NIK]", "PHONE": "[PHONE]", "EMAIL": "[EMAIL]", "NAME": "[NAME]"}


def redact(text: str) -> str:
    """Return ``text`` with personal data replaced by ``[NIK]``, ``[PHONE]``, ``[EMAIL]`` or ``[NAME]``."""
    if not isinstance(text, str):
        raise TypeError(f"redact() expects a str, got {type(text).__name__}")
    matches = [m for m in detect_pii(text) if m.type in _TYPES]
    out, pos = [], 0
    for m in sorted(matches, key=lambda m: m.start):
        if m.start < pos:
            continue
        out.append(text[pos : m.start])
        out.append(_TYPES[m.type])
        pos = m.end
    out.append(text[pos:])
    return "".join(out)
