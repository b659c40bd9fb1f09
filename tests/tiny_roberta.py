"""A tiny, randomly initialised RoBERTa saved as a standard Hugging Face folder, built offline:
a byte-level BPE tokenizer trained on a few sentences plus a RobertaModel with tiny sizes."""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import RobertaConfig, RobertaModel, RobertaTokenizerFast

HIDDEN = 32
SENTENCES = [
    "the dog runs in the park with other dogs",
    "money markets and stock prices fall and rise",
    "love songs about the night sky and the sea",
    "music lyrics words sing dance rhythm beat",
] * 5


def make_tiny_roberta(folder: Path, max_positions: int = 130) -> Path:
    """Write tokenizer + config + random weights (seeded) of a RoBERTa-architecture encoder."""
    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        SENTENCES,
        vocab_size=300,
        min_frequency=1,
        show_progress=False,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
    )
    bpe.save_model(str(folder))  # vocab.json, merges.txt
    tokenizer = RobertaTokenizerFast.from_pretrained(folder)
    tokenizer.model_max_length = max_positions - 2
    tokenizer.save_pretrained(folder)
    config = RobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=HIDDEN,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(0)
    RobertaModel(config).save_pretrained(folder)
    return folder
