"""The vocabulary data files: validated at load, every named pattern compiles, lists expand as declared."""

import re

import pytest
from pydantic import ValidationError

from hoidap.corpus import vocab


def test_every_pattern_compiles_and_every_placeholder_is_known():
    vocab.check_patterns()
    for name, spec in vocab._pattern_file().patterns.items():
        text = vocab._expand(spec.text)
        assert "{{" not in text, name


def test_list_expansion_keeps_longest_first_and_escapes():
    alt = vocab.alternation("agency_head")
    words = alt[3:-1].split("|")
    assert [len(re.sub(r"\\(.)", r"\1", w)) for w in words] == sorted(
        (len(re.sub(r"\\(.)", r"\1", w)) for w in words), reverse=True
    )
    assert re.fullmatch(alt, "Ban Quản lý") and re.match(alt, "Ban Quản lý dự án").group() == "Ban Quản lý"


def test_a_misspelt_key_or_a_bad_regex_fails_validation():
    good = dict(vocab.load("layout"))
    with pytest.raises(ValidationError):
        vocab.LayoutVocab.model_validate(
            {**{k: v for k, v in good.items() if not k.startswith("_")}, "motos": []}
        )
    bad = {k: v for k, v in good.items() if not k.startswith("_")}
    bad["signature_noise"] = ["(unclosed"]
    with pytest.raises(ValidationError, match="does not compile"):
        vocab.LayoutVocab.model_validate(bad)
    with pytest.raises(ValidationError):
        vocab.WordList.model_validate({"words": ["a"], "from": ["agencies.heads"]})


def test_unknown_placeholder_is_named():
    with pytest.raises(KeyError, match="no list or fragment"):
        vocab.fragment("no_such_list")
