"""The generative answerer: a language model writes the answer from numbered sentence windows, then every
sentence is verified against the passages it cites (`qa/generation/verify.py`).

Refusal has three signals: the extractive gate (the retrieval evidence: no sentence matches the question well
enough, or the question rests on a detail the passages contradict, `qa/answering/premise.py`; the model is then not
asked), the model's own "The documents don't say." (taken only when the evidence is weak too, see
`GenerateConfig.honour_refusal_below`), and verification (nothing the model wrote is supported). When nothing
survives and the refusal is not taken, the answer falls back to the extractive one, and says so in
`verification.fallback`.
"""

from __future__ import annotations

import gc
import logging
import re
import time
from collections.abc import Generator, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from difflib import get_close_matches

from index.embed import Embedder
from index.errors import QAError
from index.lexical import tokenize
from index.store import Store
from qa.answering.answerer import Reply
from qa.answering.evidence import Draft
from qa.answering.extractive import quoted
from qa.answering.kinds import entities, nearest_answer
from qa.answering.passages import sentence_windows
from qa.chat import rewrite
from qa.cite import MARKER, Claim
from qa.generation.llm import Generator as LLMGenerator
from qa.generation.prompt import ECHO, answer_messages, condense_messages
from qa.generation.verify import Source, Verifier, is_refusal
from qa.types import History, Verification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerateConfig:
    """How much context the model reads. On 2 CPU cores a 0.5B model reads about 100-130 prompt tokens a second
    and 1,000 characters of passages are about 225 tokens, so the passages are budgeted in characters to keep
    the first token within 2 s (the system prompt is the same for every question and stays in llama.cpp's
    prompt cache). On the seed questions, 700 characters kept answer recall and support (1.0) and brought the
    first token from 2.4 s to 1.6 s (p50) against 1,000."""

    passages: int = 4  # at most this many sentence windows around the best candidates
    window_chars: int = 420  # each at most this long
    context_chars: int = 700  # all passages together at most this long (the first one always goes in)
    # The model's "don't say" is taken only when the best candidate sentence is less likely than
    # `honour_refusal_below` to hold the answer, or less likely than `honour_refusal_without_name` and silent on a
    # name the question asks about ("What did Qaani tell Hezbollah?" against a sentence on Qaani's letter
    # that never names Hezbollah). Otherwise the retrieval evidence (the gate and its premise checks) decides,
    # and the extractive answer is given as a fallback. Qwen2.5-Coder-0.5B's refusals barely tell answerable
    # from unanswerable questions: on three SQuAD samples of `make bench`'s kind (100 answerable + 50 not,
    # seeds 7, 11, 13), it refused 55%, 65% and 63% of the answerable questions that passed the gate and 61%,
    # 71% and 84% of the unanswerable ones. Replayed (an ad hoc script), the former rule (taken below 0.35, or
    # when the best sentence lacks the kind of answer asked for) cost 9, 6 and 4 supported answers against the
    # extractive mode; this one cost 1, 0 and 0, and taking it below 0.2 cost 3, 3 and 0.
    honour_refusal_below: float = 0.1
    honour_refusal_without_name: float = 0.35
    max_sentences: int = 3  # generation stops once a sentence after this many begins to end


class GenerativeAnswerer:
    """Answers with an LLM (any llama-index LLM, see `qa/generation/llm.py`) and verifies what it wrote."""

    def __init__(
        self, generator: LLMGenerator, store: Store, embedder: Embedder, config: GenerateConfig | None = None
    ) -> None:
        self.generator = generator
        self.name = generator.name
        self.store = store
        self.embedder = embedder
        self.config = config or GenerateConfig()

    # -- follow-ups -------------------------------------------------------------------------------------------

    def condense(self, question: str, history: History) -> str:
        """The model's standalone version of a follow-up, kept only when it adds no word the conversation lacks;
        else the rule-based rewrite."""
        fallback = rewrite(question, list(history))
        if not history:
            return question
        text = "".join(self._stream(condense_messages(question, history))).strip()
        text = text.splitlines()[0].strip().strip('"“”') if text else ""
        known = set(tokenize(question + " " + " ".join(f"{q} {a}" for q, a in history)))
        # A question is kept only if it is one (small models sometimes answer instead) and names nothing new.
        unchanged = text.lower().rstrip("?") == question.strip().lower().rstrip("?")  # the model gave up
        if (
            unchanged
            or not text.endswith("?")
            or len(text) > 3 * len(question) + 200
            or not set(tokenize(text)) <= known
        ):
            log.info("condensed question %r rejected; using %r", text, fallback)
            return fallback
        return text

    # -- answers ----------------------------------------------------------------------------------------------

    def sources(self, evidence: Draft) -> list[Source]:
        """The numbered passages the model reads: sentence windows around the best candidate sentences."""
        cfg = self.config
        windows = sentence_windows(
            self.store.manifest, evidence.texts, evidence.ranked, cfg.passages, cfg.window_chars
        )
        sources: list[Source] = []
        used = 0
        for n, w in enumerate(windows, 1):
            if sources and used + len(w.text) > cfg.context_chars:
                break
            used += len(w.text)
            rows = self.store.manifest.sentences_within(w.doc_id, w.start, w.end)
            spans = tuple((r.start, r.end) for r in rows) or ((w.start, w.end),)
            sources.append(Source(n, w.doc_id, w.source, w.start, w.end, w.text, spans))
        return sources

    def reply(self, question: str, evidence: Draft) -> Generator[str, None, Reply]:
        """Stream the model's answer, then return only what verification keeps (see the module docstring)."""
        if evidence.refused:  # the retrieval evidence says no: the model is not asked to make something up
            return Reply([], True, "extractive")
        sources = self.sources(evidence)
        started = time.perf_counter()
        first_token: float | None = None
        text = ""
        tokens = 0
        for delta in self._stream(answer_messages(question, sources)):
            if first_token is None:
                first_token = (time.perf_counter() - started) * 1000
            text += delta
            tokens += 1
            yield delta
        generate_ms = (time.perf_counter() - started) * 1000 - (first_token or 0.0)
        log.info("generated: %r", text)
        verdict = Verifier(self.embedder.embed).verify(text, sources)
        claims = [c for c in verdict.claims if c.quotes]
        dropped = tuple(verdict.dropped)
        # The prompt's passage delimiters in the reply: the model is copying its input, not answering.
        if ECHO.search(text):
            claims, dropped = [], dropped + tuple(c.text for c in claims)
        if (
            claims
            and self._agrees(claims, evidence)
            and self._names_the_answer(question, claims, evidence)
            and self._says_something_new(question, claims)
        ):
            check = Verification(verdict.sentences, dropped, False)
            return Reply(claims, False, self.name, check, first_token, tokens, generate_ms)
        if claims:  # verified, but not what the evidence plainly answers: listed, not shown
            dropped += tuple(c.text for c in claims)
        if verdict.refusal and self._evidence_is_weak(question, evidence):
            check = Verification(verdict.sentences, dropped, False)
            return Reply([], True, self.name, check, first_token, tokens, generate_ms)
        fallback = quoted(evidence.sentences)
        check = Verification(verdict.sentences, dropped, True)
        return Reply(fallback, not fallback, "extractive", check, first_token, tokens, generate_ms)

    @staticmethod
    def _agrees(claims: list[Claim], evidence: Draft) -> bool:
        """Do the claims rest on a sentence the extractive answerer would quote?

        Measured on a SQuAD sample (100 answerable questions, seed 7) with Qwen2.5-Coder-0.5B: the model was
        never right where the extractive choice was wrong, and was wrong 11 times where it was right, mostly by
        answering from a neighbouring sentence. So the model's sentences must rest on the sentences the
        evidence chose; else the extractive answer is given (`verification.fallback`).
        """
        chosen = evidence.sentences
        return any(
            q.doc_id == s.doc_id and q.start < s.end and s.start < q.end
            for c in claims
            for q in c.quotes
            for s in chosen
        )

    @staticmethod
    def _names_the_answer(question: str, claims: list[Claim], evidence: Draft) -> bool:
        """When the evidence's leading sentence holds the asked-for kind of answer right beside the question's
        terms ("Quds Force commander Esmail Qaani" for "Who commands the Quds Force?"), the model's answer
        must name it too: a verified sentence that only restates the question ("The commander of the Quds
        Force sent a letter") answers nothing, and a different name contradicts the evidence."""
        if evidence.kind is None or not evidence.sentences:
            return True
        lead = evidence.sentences[0]
        closeness, answer = nearest_answer(evidence.kind, lead.text, question, set(tokenize(question)))
        if answer is None or closeness < 0.5:
            return True
        written = " ".join(c.text for c in claims).lower()
        return any(word.lower() in written for word in re.findall(r"\w[\w’'-]*", answer) if len(word) > 2)

    @staticmethod
    def _says_something_new(question: str, claims: list[Claim]) -> bool:
        """Does the answer hold a term the question does not? "Khamenei said Iran would keep giving Hamas
        support." restates "What kind of support did Khamenei say Iran would keep giving Hamas?": verified
        word for word, and empty."""
        asked = set(tokenize(question))
        return any(set(tokenize(MARKER.sub(" ", c.text))) - asked for c in claims)

    def _evidence_is_weak(self, question: str, evidence: Draft) -> bool:
        """Is the evidence weak enough for the model's refusal to stand (see `GenerateConfig`)?"""
        cfg = self.config
        best = evidence.sentences[0] if evidence.sentences else None
        if best is None or best.probability < cfg.honour_refusal_below:
            return True
        if best.probability >= cfg.honour_refusal_without_name:
            return False
        said = set(re.findall(r"\w+", " ".join(s.text for s in evidence.sentences).lower()))
        asked = {w.lower() for name in entities(question) for w in re.findall(r"\w+", name) if len(w) > 2}
        # A misspelt name ("Frensh") is still named: a close spelling counts.
        return any(w not in said and not get_close_matches(w, said, n=1, cutoff=0.8) for w in asked)

    def _stream(self, messages: list) -> Iterator[str]:
        """The model's text as it arrives; stops after a refusal or `max_sentences` sentences."""
        lock = self.generator.lock or nullcontext()
        with lock:
            text = ""
            chunks = None
            finished = False
            try:
                chunks = self.generator.llm.stream_chat(messages)
                for chunk in chunks:
                    delta = chunk.delta or ""
                    if not delta:
                        continue
                    text += delta
                    yield delta
                    if _enough(text, self.config.max_sentences):
                        break
                else:
                    finished = True
            # Any backend failure (refused connection, timeout, HTTP error) is the user's to see.
            except Exception as exc:
                log.debug("model call failed", exc_info=True)
                raise QAError(f"the model {self.name} failed: {type(exc).__name__}: {exc}") from None
            finally:
                if not finished and self.generator.over_http:  # stopped early, by us or by our reader
                    _abandon(chunks)


def _abandon(chunks: object) -> None:
    """Close a model server's stream that was stopped early, and collect it now (a full collection: 40-60 ms).
    An OpenAI-compatible stream left half-read sits in a reference cycle; when the garbage collector later
    finalised it in the middle of the next request on the same thread, closing its HTTP response took the
    connection pool's lock that the request held, and the thread hung (seen in tests/test_llm.py,
    httpx/httpcore). A younger-generation collection is not enough once the stream has aged."""
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
    gc.collect()


def _enough(text: str, max_sentences: int) -> bool:
    """Has the model said all it should: a refusal sentence, or `max_sentences` finished sentences?"""
    bare = MARKER.sub("", text)
    finished = re.findall(r"[.!?](?=\s|$)", bare.rstrip())
    return (bool(finished) and is_refusal(bare.split(".")[0])) or len(finished) > max_sentences
