"""The conversation of the Hỏi đáp tab as state: what the server sends, what the browser keeps, and
clearing it (with an undo).

The conversation stays on the server (a `gr.State`); the page gets each turn once and keeps it, the
server re-sending earlier replies folded to their gist (`chat_view`, `page.js`).
"""

from __future__ import annotations

import re
from typing import Any

import gradio as gr

from hoidap.ui import render

MAX_SAVED_MESSAGES = 40  # kept in the browser (localStorage) across reloads
MAX_SUMMARY_CHARS = 300  # an earlier reply's gist, as the server re-sends it


def chat_view(conv: list[dict[str, str]]) -> list[dict[str, str]]:
    """The chat as the server sends it: the latest reply whole, each earlier one folded to its gist,
    which the page swaps for the copy it kept of that turn (`page.js`); a turn costs the same bytes
    at question 16 as at question 1."""
    last = len(conv) - 1
    out = []
    for i, m in enumerate(conv):
        turn = m.get("turn")
        if m["role"] != "assistant" or not turn:
            out.append({"role": m["role"], "content": m["content"]})
        elif i == last and m["content"]:
            out.append({"role": "assistant", "content": render.turn_html(turn, m["content"])})
        else:
            folded = render.folded_html(turn, m.get("summary", ""), m.get("question", ""))
            out.append({"role": "assistant", "content": folded})
    return out


def saved_form(conv: list[dict[str, str]]) -> list[dict[str, str]]:
    """What the browser keeps across reloads: the latest reply whole, the others by their gist."""
    last = len(conv) - 1
    return [m if i == last or m["role"] != "assistant" else {**m, "content": ""} for i, m in enumerate(conv)]


def forget_chat(conv: list[dict[str, str]] | None):
    """Clear the chat, keeping what was cleared for the undo button."""
    return [], [], list(conv or []), None, "", [], gr.update(visible=bool(conv))


def undo_forget(cleared: list[dict[str, str]] | None):
    conv = list(cleared or [])
    return chat_view(conv), conv, [], saved_form(conv), gr.update(visible=False)


_TURN_RE = re.compile(r"[0-9a-f]{1,32}")


def saved_messages(saved: Any) -> list[dict[str, str]]:
    """The conversation the browser kept, checked: it may hold anything. Only user and assistant
    messages with text survive, with a well-formed turn id and bounded gist and question."""
    out: list[dict[str, str]] = []
    for m in saved if isinstance(saved, list) else []:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        content = m.get("content")
        if not isinstance(content, str):
            continue
        kept = {"role": m["role"], "content": content}
        turn = m.get("turn")
        if m["role"] == "assistant" and isinstance(turn, str) and _TURN_RE.fullmatch(turn):
            summary, question = m.get("summary"), m.get("question")
            kept["turn"] = turn
            kept["summary"] = summary[:MAX_SUMMARY_CHARS] if isinstance(summary, str) else ""
            kept["question"] = question[:2000] if isinstance(question, str) else ""
        elif not content:
            continue
        out.append(kept)
    return out
