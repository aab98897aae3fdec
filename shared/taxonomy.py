"""The practice's taxonomy: the modalities and populations clients filter by, codes and labels (ATTUNE_TAXONOMY)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

VARIABLE = "ATTUNE_TAXONOMY"
CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
KINDS = ("modalities", "populations")

# The seeds' list (the contract's defaults): a practice's own file replaces it whole.
DEFAULT_MODALITIES = (
    ("attachment_focused", "Attachment-focused therapy"),
    ("eft", "Emotionally Focused Therapy (EFT)"),
    ("ddp", "Dyadic Developmental Psychotherapy (DDP)"),
    ("mbt", "Mentalization-Based Treatment (MBT)"),
    ("circle_of_security", "Circle of Security (parenting)"),
    ("abft", "Attachment-Based Family Therapy (ABFT)"),
)
DEFAULT_POPULATIONS = (
    ("adults", "Adults"), ("couples", "Couples"), ("families", "Families"), ("parents", "Parents"),
    ("adolescents", "Adolescents (teens)"), ("children", "Children"),
)


class TaxonomyError(ValueError):
    """The file cannot be read or does not list codes and labels as it should."""


@dataclass(frozen=True)
class Taxonomy:
    modalities: tuple[tuple[str, str], ...] = DEFAULT_MODALITIES
    populations: tuple[tuple[str, str], ...] = DEFAULT_POPULATIONS

    @property
    def modality_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.modalities)

    @property
    def population_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.populations)

    def modality_label(self, code: str | None) -> str | None:
        return dict(self.modalities).get(code, code) if code else None

    def population_label(self, code: str | None) -> str | None:
        return dict(self.populations).get(code, code) if code else None

    def as_json(self) -> dict:
        """What the booking page and GET /v1/practice show: [{code, label}] of each kind."""
        return {kind: [{"code": c, "label": label} for c, label in getattr(self, kind)] for kind in KINDS}


DEFAULT = Taxonomy()


def parse(text: str, name: str = "taxonomy") -> Taxonomy:
    """A taxonomy from JSON or YAML text: {"modalities": [{"code", "label"}...], "populations": [...]}
    (a mapping code: label is taken too)."""
    try:
        raw = json.loads(text)
    except ValueError:
        import yaml

        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise TaxonomyError(f"{name} is neither JSON nor YAML: {e}") from None
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{name} must hold a mapping with modalities and populations")
    return Taxonomy(**{kind: _entries(raw.get(kind), kind) for kind in KINDS})


def _entries(value, kind: str) -> tuple[tuple[str, str], ...]:
    if isinstance(value, dict):
        value = [{"code": k, "label": v} for k, v in value.items()]
    if not isinstance(value, list) or not value:
        raise TaxonomyError(f"{kind} must be a non-empty list of {{code, label}}")
    out: dict[str, str] = {}
    for i, item in enumerate(value):
        code = item.get("code") if isinstance(item, dict) else None
        label = item.get("label") if isinstance(item, dict) else None
        if not isinstance(code, str) or not CODE.fullmatch(code):
            raise TaxonomyError(f"{kind}[{i}].code must be lower-case letters, digits, _ or - (at most 64), "
                                f"got {code!r}")
        if not isinstance(label, str) or not label.strip() or len(label) > 200:
            raise TaxonomyError(f"{kind}[{i}].label must be a text of 1 to 200 characters")
        if code in out:
            raise TaxonomyError(f"{kind}[{i}].code {code!r} is listed twice")
        out[code] = label.strip()
    return tuple(out.items())


def load(env) -> Taxonomy:
    """ATTUNE_TAXONOMY's file, or the seeds' list when unset; ConfigError naming the variable otherwise."""
    from shared.config import ConfigError

    path = (env.get(VARIABLE) or "").strip()
    if not path:
        return DEFAULT
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(VARIABLE, f"cannot be read ({path}): {e}") from None
    try:
        return parse(text, path)
    except TaxonomyError as e:
        raise ConfigError(VARIABLE, str(e)) from None


def of(settings) -> Taxonomy:
    """The settings' taxonomy (the seeds' list for settings made without one, as in unit tests)."""
    return getattr(settings, "taxonomy", None) or DEFAULT


def current() -> Taxonomy:
    """The running web app's taxonomy (the seeds' list outside an app)."""
    from flask import current_app, has_app_context

    if has_app_context() and "attune" in current_app.extensions:
        return of(current_app.extensions["attune"].settings)
    return DEFAULT


def one_of(kind: str):
    """A marshmallow validator: the value is a code of the running app's `kind` (modalities, populations)."""
    from marshmallow import ValidationError

    def check(value) -> None:
        codes = [code for code, _ in getattr(current(), kind)]
        if value not in codes:
            raise ValidationError(f"Must be one of: {', '.join(codes)}.")

    return check
