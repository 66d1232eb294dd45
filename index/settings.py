"""One typed settings object, read from CLI flags and the environment (flags win), never at import time."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from index.errors import BadInput

_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")
MODES = ("extractive", "llm")
LLM_POLICIES = ("auto", "cautious", "trusting")
CHUNK_VECTORS = ("embedded", "pooled")
RERANKER = ("on", "off")

# field name -> environment variable (CONTRACT.md, "Configuration")
ENV_VARS = {
    "store": "QA_STORE",
    "chroma_url": "QA_CHROMA_URL",
    "collection": "QA_COLLECTION",
    "mode": "QA_MODE",
    "llm": "QA_LLM",
    "llm_policy": "QA_LLM_POLICY",
    "port": "QA_PORT",
    "host": "QA_HOST",
    "api_token": "QA_API_TOKEN",
    "auth": "QA_AUTH",
    "allowed_hosts": "QA_ALLOWED_HOSTS",
    "max_upload_mb": "QA_MAX_UPLOAD_MB",
    "max_doc_mb": "QA_MAX_DOC_MB",
    "chunk_vectors": "QA_CHUNK_VECTORS",
    "watch": "QA_WATCH",
    "reranker": "QA_RERANKER",
}


@dataclass(frozen=True)
class Settings:
    """Where the index lives and how questions are answered.

    Attributes:
        store: folder of the embedded Chroma store; the manifest and BM25 index live beside it, also when
            vectors are kept on a Chroma server.
        chroma_url: a `chroma run` server to keep vectors in instead of the embedded store.
        collection: name of the document collection.
        mode: `extractive` (quoted sentences) or `llm` (generated from the same cited passages).
        llm: the generator for `llm` mode: `local`, `openai-compatible:URL` or `ollama:MODEL`.
        llm_policy: how far generated answers are trusted (`qa/generation/policy.py`): `cautious` (little
            evidence, verified sentences may still be replaced by the extractive answer, the model's refusal
            taken only on weak evidence), `trusting` (several passages, verified sentences stand, the model's
            refusal stands unless the evidence is strong), or `auto`: cautious for the bundled models and
            models named under 3B parameters, trusting for the others.
        port: HTTP port of the UI and API.
        host: interface the server listens on.
        api_token: bearer token that `/api/*` and `/v1/*` require (required off loopback).
        auth: `user:password` for the chat page's login.
        allowed_hosts: comma-separated `Host` header values accepted besides 127.0.0.1 and localhost.
        max_upload_mb: the largest upload accepted, in MB.
        max_doc_mb: the largest file indexed, in MB; a larger one is refused by name (too large to be useful
            as one document: split it).
        chunk_vectors: how a chunk's vector is made when indexing. `pooled` (the default): the weighted mean
            of its sentences' vectors, so that every token is embedded once: indexing about twice as fast as
            `embedded`, the chunk's text embedded as well as each of its sentences, for the same recall@5 and
            answer recall within 0.005 on SQuAD and COVID-QA (docs/scale.md).
        reranker: `on`: the answerer's best candidate sentences are rescored by the sentence reranker, a
            cross-encoder (`qa/answering/reranker.py`): held out, the answering sentence leads a little more
            often, at about 80 ms more per answer on 2 cores; `off` (the default): the ranker's order stands
            (docs/answers.md has the figures).
    """

    store: Path = Path(".qa-store")
    chroma_url: str | None = None
    collection: str = "seeds"
    mode: str = "extractive"
    llm: str = "local"
    llm_policy: str = "auto"
    port: int = 7860
    host: str = "127.0.0.1"
    api_token: str | None = None
    auth: str | None = None
    allowed_hosts: str = ""
    max_upload_mb: float = 50.0
    max_doc_mb: float = 100.0
    chunk_vectors: str = "pooled"
    watch: str = ""  # folders `qa serve` keeps indexed (comma-separated)
    reranker: str = "off"

    def __post_init__(self) -> None:
        object.__setattr__(self, "store", Path(self.store))  # a str from with_() or a caller is a path too
        if not _COLLECTION_NAME.match(self.collection):
            raise BadInput(
                f"collection name {self.collection!r} is not valid: use 3-512 characters of letters, "
                "digits, '.', '_' or '-', starting and ending with a letter or digit"
            )
        if self.mode not in MODES:
            raise BadInput(f"mode {self.mode!r} is not valid: choose one of {', '.join(MODES)}")
        if self.llm_policy not in LLM_POLICIES:
            raise BadInput(
                f"QA_LLM_POLICY {self.llm_policy!r} is not valid: choose one of {', '.join(LLM_POLICIES)}"
            )
        if not 0 < self.port < 65536:
            raise BadInput(f"port {self.port} is not valid: use 1-65535")
        if self.auth is not None and (":" not in self.auth or not self.auth.split(":", 1)[0]):
            raise BadInput("QA_AUTH must be user:password")
        if not 0 < self.max_upload_mb <= 10_000:
            raise BadInput(f"QA_MAX_UPLOAD_MB {self.max_upload_mb} is not valid: use a number of MB above 0")
        if not 0 < self.max_doc_mb <= 100_000:
            raise BadInput(f"QA_MAX_DOC_MB {self.max_doc_mb} is not valid: use a number of MB above 0")
        if self.reranker not in RERANKER:
            raise BadInput(f"QA_RERANKER {self.reranker!r} is not valid: choose one of {', '.join(RERANKER)}")
        if self.chunk_vectors not in CHUNK_VECTORS:
            raise BadInput(
                f"QA_CHUNK_VECTORS {self.chunk_vectors!r} is not valid: choose one of {', '.join(CHUNK_VECTORS)}"
            )

    def __repr__(self) -> str:  # secrets stay out of logs and tracebacks
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        for secret in ("api_token", "auth"):
            if shown[secret]:
                shown[secret] = "***"
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> Settings:
        """Build settings from defaults, then the environment, then explicit overrides (CLI flags).

        Args:
            overrides: values given as flags; `None` values mean "not given".
            env: the environment to read (defaults to `os.environ`).

        Returns:
            The validated settings.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, var in ENV_VARS.items():
            if env.get(var):
                values[name] = env[var]
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise BadInput(f"unknown setting(s): {', '.join(sorted(unknown))}")
        if "store" in values:
            values["store"] = Path(values["store"])
        for name, kind, var in (
            ("port", int, "QA_PORT / --port"),
            ("max_upload_mb", float, "QA_MAX_UPLOAD_MB"),
            ("max_doc_mb", float, "QA_MAX_DOC_MB"),
        ):
            if name in values:
                try:
                    values[name] = kind(values[name])
                except ValueError:
                    raise BadInput(f"{name} {values[name]!r} is not a number ({var})") from None
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)
