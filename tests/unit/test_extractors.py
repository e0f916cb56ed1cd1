"""The registry of task readers: declared merge policies, applied in order."""

from hoidap.corpus.blocks import ROMAN_NUMERALS, BlockKind, roman
from hoidap.corpus.extractors import READERS, Merge, TaskReader, _merge, prose_tasks
from hoidap.corpus.records import Task


def _task(start: int, end: int, deadline: str | None = None) -> Task:
    return Task("d", "", (), "x", ("Sở A",), (), (), (), deadline, start, end, "narrative", False)


def test_merge_policies():
    read = [(_task(0, 10), ("1",))]
    assert len(_merge(read, [(_task(5, 20), ("2",))], Merge.ALL)) == 2
    assert len(_merge(read, [(_task(5, 20), ("2",)), (_task(10, 20), ("3",))], Merge.UNCOVERED)) == 2
    merged = _merge(
        read,
        [(_task(3, 8, "trước ngày 30/11"), ("1",)), (_task(30, 40, "quý II/2026"), ("4",))],
        Merge.DEADLINE,
    )
    assert [t.deadline for t, _ in merged] == ["trước ngày 30/11", "quý II/2026"]


def test_readers_run_in_order_and_results_are_sorted():
    assert [r.name for r in READERS] == ["labelled_fields", "narrative", "giao", "agency_section", "report"]
    seen: list[int] = []

    def reader(start: int) -> TaskReader:
        def read(doc_id, placed, found):
            seen.append(len(found))
            return [(_task(start, start + 5), (str(start),))]

        return TaskReader(str(start), read, Merge.ALL)

    pairs = prose_tasks("d", [], (reader(50), reader(0)))
    assert seen == [0, 1]  # the second reader sees what the first read
    assert [t.char_start for t, _ in pairs] == [0, 50]


def test_block_kinds_keep_their_stored_names():
    assert BlockKind.NUMBER == "number" and f"{BlockKind.CELL}" == "cell"
    assert roman(14) == "XIV" and ROMAN_NUMERALS[-1] == "XII"
