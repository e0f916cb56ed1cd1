"""What a question asks, decided once by one ordered table (data: service/data/question.json).

The intents found, in order: "document" when a document fact is asked (`document_fact_cues`, the first
matching cue wins); "listing" when a list of tasks is asked (`listing_cues`; the weaker
`listing_agency_cues` only when an agency is named); then the task-field and figure intents whose cues
occur (`intent_cues`), earliest first. The rules of `intent_rules` then run in order: each tests the first
intent and the question's flags (`Signals`) and promotes or drops intents. The first intent left is the
question's; none is "lookup".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from hoidap.service.extract import asks_list
from hoidap.service.frames import Frame
from hoidap.service.vocabulary import IntentRule, patterns, vocabulary

_P = patterns()
_V = vocabulary()


def document_fact(tok: str, names_doc: bool, has_task: bool) -> str | None:
    """The document fact a question asks (`tok` view), if any; `names_doc`: it names a document."""
    doc_word = names_doc or bool(_P.doc_words.search(tok))
    for fact, rx, needs_doc in _P.facts:
        if has_task and fact != "signer":
            continue  # with a task id, "ban hành ... khi nào" is the task's deadline
        if needs_doc and not doc_word:
            continue
        m = rx.search(tok)
        # Attributes a policy document does not state about its issuer or signer ("số điện thoại của cơ
        # quan ban hành"): asked with them, the fact cue names whose attribute it is, not the fact asked.
        if m and not _P.attribute.search(tok[: m.start()]):
            if fact == "issuer" and _P.named["predicate_noun"].search(tok[: m.start()]):
                continue  # "Thông báo 88 là kết luận của ai": whose conclusion, not who issued it
            return fact
    return None


WH_REACH = 8  # characters between a role verb and the wh-word it asks with ("phối hợp với | cơ quan nào")


def cue_hits(tok: str) -> list[str]:
    """Task-field and figure intents whose cues occur, earliest first (longer cue first at one start);
    but a role verb beside the wh-word comes first: it is what is asked ("… tham gia bồi dưỡng … do ai
    [chủ trì]"), a role word further off belongs to the task named ("tham gia")."""
    hits: list[tuple[int, int, int, str]] = []
    wh = [m.span() for m in _P.asks_who.finditer(tok)]
    for intent, rx in _P.cues.items():
        spans = [m.span() for m in rx.finditer(tok)]
        if not spans:
            continue
        start, end = spans[0]
        # A cue that is no more than the wh-word itself ("cơ quan nào") says nothing of the role asked.
        beside = [
            gap
            for s, e in spans
            for ws, we in wh
            if not (ws <= s and e <= we) and (gap := max(ws - e, s - we, 0)) <= WH_REACH
        ]
        hits.append((0 if beside else 1, start, -(end - start), intent))
    pct = _P.named["percent"].search(tok)
    if pct:
        hits.append((1, pct.start(), -1, "figure"))
    return [intent for *_, intent in sorted(hits)]


def asks_listing(tok: str, has_task: bool, has_agency: bool) -> bool:
    """A list of tasks is asked (never when a task id is given)."""
    return not has_task and bool(_P.listing.search(tok) or (has_agency and _P.listing_agency.search(tok)))


@dataclass(frozen=True)
class Signals:
    """What the intent rules may test of a question (question.json `intent_rules` "when"/"unless")."""

    quotes_percent: bool  # "chỉ tiêu … 45% GRDP": a figure the question quotes
    asks_figure: bool  # "bao nhiêu", "mức nào", …
    asks_list: bool  # "những tỉnh nào": several things
    asks_who: bool  # "ai", "cơ quan nào", …
    asks_holder_or_receiver: bool  # "ai là Trưởng ban …"; "… báo cáo kết quả cho ai"


def signals(tok: str, frame: Frame | None) -> Signals:
    """The flags of a question (`tok` view) and the frame its wh-word stands in."""
    asks_holder = bool(_P.asks_holder.search(tok)) or (frame is not None and frame.holder)
    # "Hội đồng … báo cáo kết quả cho ai", "… gửi kết quả cho cơ quan nào": the wh-word stands after a
    # verb that is no role ("giao cho ai" is), so the body asked receives the action, while a task's lead
    # is the subject the question already names. What follows the same words in a clause answers.
    asks_receiver = (
        frame is not None
        and frame.side == "object"
        and not frame.role_verb
        and not _P.roles["lead"].search(tok)
    )
    return Signals(
        quotes_percent=bool(_P.named["quotes_percent"].search(tok)),
        asks_figure=bool(_P.asks_figure.search(tok)),
        asks_list=asks_list(tok),
        asks_who=bool(_P.asks_who.search(tok)),
        asks_holder_or_receiver=asks_holder or asks_receiver,
    )


def decide(fact: str | None, listing: bool, cues: list[str], flags: Signals) -> list[str]:
    """Every intent found, the question's first: found in the order above, then the rules applied."""
    intents: list[str] = ["document"] if fact else []
    if listing:
        intents.append("listing")
    intents.extend(i for i in cues if i not in intents)
    said = asdict(flags)
    for rule in _V.intent_rules:
        _apply(rule, intents, said)
    return intents


def _apply(rule: IntentRule, intents: list[str], flags: dict[str, bool]) -> None:
    if not intents or intents[0] not in rule.first:
        return
    if not all(flags[f] for f in rule.when) or any(flags[f] for f in rule.unless):
        return
    if rule.promote:
        chosen = next((i for i in intents if i in rule.promote), None)
        if chosen is not None:
            intents.remove(chosen)
            intents.insert(0, chosen)
    for intent in rule.drop:
        if intent in intents:
            intents.remove(intent)


def roles(tok: str) -> list[str]:
    """The task roles a question names ("chủ trì" lead, "phối hợp" coordinating), in table order."""
    return [r for r, rx in _P.roles.items() if rx.search(tok)]
