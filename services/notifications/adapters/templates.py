"""Jinja2 templates of the emails: a text and an HTML body each, HTML autoescaped."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(template: str, **context) -> tuple[str, str]:
    """(text, html) bodies of `<template>.txt` and `<template>.html`."""
    env = environment()
    return env.get_template(f"{template}.txt").render(**context), env.get_template(f"{template}.html").render(**context)
