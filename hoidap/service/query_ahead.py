"""A question's query vector computed while the question is analysed (issue 26).

The encoding is most of a question's time, and it needs nothing but the text searched, which the answer
layer can tell before it searches: the question itself right after it is checked, then the text the
analysis leaves to search (`QueryAnalysis.search_text`, less its document's title words). `QueryAhead`
has the index encode that text on a worker thread (`QueryVectors.prefetch`) while this thread analyses
the question, reads the records and runs the lexical search; the dense search then takes the vector.
A question answered without searching, or a text the analysis changed, stops its encoding unwaited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hoidap.service.records import Searcher


class QueryAhead:
    """The encodings one request started ahead; `release` them when it is answered."""

    def __init__(self, searcher: Searcher, mode: str) -> None:
        start = getattr(searcher, "prefetch_query", None)  # indexes that encode queries ahead
        self._start: Callable[[str], Any] | None = start if mode != "lexical" else None
        self._held: dict[str, Any] = {}

    @property
    def started(self) -> bool:
        """Whether an encoding runs ahead for this request."""
        return bool(self._held)

    def expect(self, text: str) -> None:
        """Encode `text` ahead; an encoding expected before for another text is no longer needed."""
        if self._start is None or text in self._held:
            return
        self.release()
        started = self._start(text)
        if started is not None:
            self._held[text] = started

    def release(self) -> None:
        """Let go of every encoding started: one still running that no search waits for is stopped."""
        for started in self._held.values():
            started.release()
        self._held.clear()
