"""The one place that turns an `--llm` spec into a llama-index LLM; nothing else knows which backend runs.

Specs (CONTRACT.md):
- `local` or `local:NAME`: a GGUF model shipped in a package (`qa/generation/models.py`), run in-process by llama-cpp-python;
- `gguf:PATH`: any GGUF file, run in-process, with the chat template stored in the file;
- `openai-compatible:URL[#MODEL]`: vLLM, the llama.cpp server, LM Studio, OpenAI; the key from `QA_LLM_API_KEY`;
- `ollama:MODEL[@URL]`: an Ollama server (default http://127.0.0.1:11434).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index.errors import BadInput, QAError

log = logging.getLogger(__name__)

KINDS = ("local", "gguf", "openai-compatible", "ollama")
MAX_NEW_TOKENS = 160
TIMEOUT_S = 120.0


@dataclass(frozen=True)
class LLMSpec:
    """A parsed `--llm` spec: the backend kind, its target (model name, path or URL) and an optional model."""

    kind: str
    target: str = ""
    model: str | None = None


def parse_spec(spec: str) -> LLMSpec:
    """Parse an `--llm` spec.

    Raises:
        BadInput: the spec names no known backend or lacks what the backend needs.
    """
    spec = (spec or "local").strip()
    kind, _, rest = spec.partition(":")
    if kind == "local":
        return LLMSpec("local", rest)
    if kind == "gguf":
        if not rest:
            raise BadInput("--llm gguf:PATH needs the path of a .gguf file")
        return LLMSpec("gguf", rest)
    if kind == "openai-compatible":
        url, _, model = rest.partition("#")
        if not urlparse(url).scheme or not urlparse(url).netloc:
            raise BadInput(
                f"--llm {spec}: give the server's URL, e.g. openai-compatible:http://127.0.0.1:8080/v1"
            )
        return LLMSpec("openai-compatible", url, model or None)
    if kind == "ollama":
        model, _, url = rest.partition("@")
        if not model:
            raise BadInput("--llm ollama:MODEL[@URL] needs a model name, e.g. ollama:qwen2.5:0.5b")
        return LLMSpec("ollama", url or "http://127.0.0.1:11434", model)
    raise BadInput(
        f"--llm {spec!r} is not a known model spec: use one of {', '.join(k + ':...' for k in KINDS)}"
    )


@dataclass
class Generator:
    """A llama-index LLM and what the answerer needs to know about it.

    Attributes:
        name: what `Answer.model` reports.
        context_window: tokens of prompt plus answer the model reads.
        lock: in-process models run one generation at a time (llama.cpp contexts are not thread-safe).
        over_http: the model is a server reached over HTTP (see `qa.generation.generative._abandon`).
        bundled: one of the bundled local models (`qa/generation/models.py`).
    """

    llm: Any  # llama_index.core.llms.LLM
    name: str
    context_window: int
    lock: threading.Lock | None = None
    over_http: bool = False
    bundled: bool = False


def _require(module: str, extra: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise QAError(f"this model backend needs {extra}: run `make install` (or pip install -e '.[llm]')")


def build(spec: str | LLMSpec, threads: int | None = None) -> Generator:
    """The LLM for a spec, loaded and ready (a local model is loaded into memory now).

    Raises:
        BadInput: a malformed spec. QAError: a missing file, package or checksum mismatch.
    """
    parsed = spec if isinstance(spec, LLMSpec) else parse_spec(spec)
    if parsed.kind == "local":
        from qa.generation import models

        found = models.find(parsed.target or None)
        generator = _llama_cpp(models.path(found), found.name, found.context, threads)
        generator.bundled = True
        return generator
    if parsed.kind == "gguf":
        path = Path(parsed.target).expanduser()
        if not path.is_file():
            raise BadInput(f"--llm gguf:{parsed.target}: no such file")
        return _llama_cpp(path, path.stem, 4096, threads)
    if parsed.kind == "openai-compatible":
        return _openai_compatible(parsed.target, parsed.model)
    return _ollama(parsed.model or "", parsed.target)


def _llama_cpp(path: Path, name: str, context: int, threads: int | None) -> Generator:
    _require("llama_cpp", "llama-cpp-python")
    _require("llama_index.llms.llama_cpp", "llama-index-llms-llama-cpp")
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    from llama_index.llms.llama_cpp import LlamaCPP

    # The chat template stored in the file: a plain completion prompt makes small models loop.
    vocab = Llama(model_path=str(path), vocab_only=True, verbose=False)
    template = vocab.metadata.get("tokenizer.chat_template")
    if not template:
        raise QAError(f"{path} has no chat template: use an instruction-tuned (chat) GGUF model")
    eos = vocab.detokenize([vocab.token_eos()]).decode("utf-8", "ignore")
    bos = vocab.detokenize([vocab.token_bos()]).decode("utf-8", "ignore") if vocab.token_bos() >= 0 else ""
    formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
    stop = [eos] if eos else []
    del vocab

    def messages_to_prompt(messages: Any) -> str:
        rendered = formatter(messages=[{"role": m.role.value, "content": m.content or ""} for m in messages])
        return str(rendered.prompt)

    log.info("loading %s from %s", name, path)
    llm = LlamaCPP(
        model_path=str(path),
        temperature=0.0,
        max_new_tokens=MAX_NEW_TOKENS,
        context_window=context,
        generate_kwargs={"stop": stop, "top_k": 1, "repeat_penalty": 1.1},
        model_kwargs={"n_threads": threads or os.cpu_count() or 2, "n_batch": 512},
        messages_to_prompt=messages_to_prompt,
        completion_to_prompt=lambda text: text,
        verbose=False,
    )
    return Generator(llm, name, context, threading.Lock())


def _api_base(url: str) -> str:
    url = url.rstrip("/")
    return url if urlparse(url).path not in ("", "/") else f"{url}/v1"


def _first_model(api_base: str, key: str) -> str:
    """The first model the server lists (`GET /models`); "default" when it lists none or cannot say."""
    request = urllib.request.Request(f"{api_base}/models", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            data = json.load(response).get("data") or []
        return str(data[0]["id"]) if data else "default"
    except Exception as exc:  # any failure here only means "no model name": the chat call will say more
        log.info("could not list models at %s: %s", api_base, exc)
        return "default"


def _openai_compatible(url: str, model: str | None) -> Generator:
    _require("llama_index.llms.openai_like", "llama-index-llms-openai-like")
    from llama_index.llms.openai_like import OpenAILike

    api_base = _api_base(url)
    key = os.environ.get("QA_LLM_API_KEY") or "not-needed"
    model = model or _first_model(api_base, key)
    llm = OpenAILike(
        model=model,
        api_base=api_base,
        api_key=key,
        is_chat_model=True,
        context_window=4096,
        max_tokens=MAX_NEW_TOKENS,
        temperature=0.0,
        timeout=TIMEOUT_S,
        max_retries=1,
    )
    return Generator(llm, model, 4096, over_http=True)


def _ollama(model: str, url: str) -> Generator:
    _require("llama_index.llms.ollama", "llama-index-llms-ollama")
    from llama_index.llms.ollama import Ollama

    llm = Ollama(
        model=model,
        base_url=url.rstrip("/"),
        context_window=4096,  # given, so no /api/show round trip is needed
        request_timeout=TIMEOUT_S,
        temperature=0.0,
        additional_kwargs={"num_predict": MAX_NEW_TOKENS},
    )
    return Generator(llm, model, 4096, over_http=True)
