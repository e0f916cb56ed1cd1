"""The page's HTML templates (`hoidap/ui/templates/*.html`): Jinja2 with autoescape on.

Every value a template prints is escaped unless it is `Markup`: a macro's own output, or a fragment
made by `fragment` that the caller passes on into another macro (and wraps in `Markup` to say so).
Templates are written over several lines for reading; the loader joins their lines (each line's
indentation and its line break dropped), so the HTML holds no newline and the chat's Markdown
renderer keeps a reply as one HTML block; a space where two lines meet is written inside a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound
from markupsafe import Markup, escape

_BREAKS_RE = re.compile(r"[ \t]*\r?\n[ \t\r\n]*")


def esc(text: str | None) -> Markup:
    """Escaped text; each run of line breaks becomes one <br> (no raw newline survives)."""
    if not text:
        return Markup("")
    return Markup(_BREAKS_RE.sub("<br>", str(escape(text))).replace("\r", " "))


def attr(text: Any) -> Markup:
    """A value for an HTML attribute, newlines kept as character references (no raw newline)."""
    return Markup(str(escape(str(text))).replace("\r", "").replace("\n", "&#10;"))


class _JoinedLines(BaseLoader):
    """Templates from the package's `templates` folder, their lines joined (see the module's note)."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, None, Callable[[], bool]]:
        path = resources.files("hoidap.ui").joinpath("templates", template)
        if not path.is_file():
            raise TemplateNotFound(template)
        text = path.read_text(encoding="utf-8")
        return "".join(line.lstrip() for line in text.splitlines()), None, lambda: True


@cache
def environment() -> Environment:
    env = Environment(
        loader=_JoinedLines(), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False
    )
    env.filters["br"] = esc
    env.filters["attr"] = attr
    return env


@cache
def macros(name: str) -> Any:
    """The macros of one template file, callable from Python (each returns `Markup`)."""
    return environment().get_template(name).module


def fragment(template: str, macro: str, *args: Any) -> str:
    """The HTML of one macro of a template file. A fragment passed on into another macro is wrapped in
    `Markup` by the caller, which says it is this module's own output."""
    return str(getattr(macros(template), macro)(*args))
