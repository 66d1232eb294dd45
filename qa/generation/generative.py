"""The generative answerer: a language model writes the answer from numbered sentence windows, then every
sentence is verified against the passages it cites (`qa/generation/verify.py`).

How much the model reads, whether a verified answer may still be replaced, and when its refusal stands are
its policy (`qa/generation/policy.py`): cautious for the tiny bundled models, trusting for capable ones.

Refusal has three signals: the extractive gate (the retrieval evidence: no sentence matches the question well
enough, or the question rests on a detail the passages contradict or a term no document mentions,
`qa/answering/premise.py`; the model is then not asked), the model's own "The documents don't say." (weighed
against the evidence as its policy says), and verification (nothing the model wrote is supported). When nothing
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
from qa.generation.policy import CAUTIOUS, ModelPolicy
from qa.generation.prompt import ECHO, answer_messages, condense_messages
from qa.generation.verify import Source, Verifier, is_refusal
from qa.types import History, Verification

log = logging.getLogger(__name__)


MAX_SENTENCES = 3  # generation stops once a sentence after this many begins to end


class GenerativeAnswerer:
    """Answers with an LLM (any llama-index LLM, see `qa/generation/llm.py`) and verifies what it wrote."""

    def __init__(
        self, generator: LLMGenerator, store: Store, embedder: Embedder, policy: ModelPolicy = CAUTIOUS
    ) -> None:
        self.generator = generator
        self.name = generator.name
        self.store = store
        self.embedder = embedder
        self.policy = policy

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
        cfg = self.policy
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
        verdict = Verifier(self.embedder.embed_recent).verify(text, sources)
        claims = [c for c in verdict.claims if c.quotes]
        dropped, reasons = tuple(verdict.dropped), tuple(verdict.reasons)
        # A sentence that is true of the passages but not about the question ("PWNED", obeying an
        # instruction written in a document) is no answer, whatever the model.
        off_topic = self._off_topic(question, claims)
        if off_topic:
            claims = [c for c in claims if c not in off_topic]
            dropped += tuple(c.text for c in off_topic)
            reasons += ("overruled",) * len(off_topic)
        # The prompt's passage delimiters in the reply: the model is copying its input, not answering.
        if ECHO.search(text) or (claims and not self._stands(question, claims, evidence)):
            dropped += tuple(c.text for c in claims)
            reasons += ("overruled",) * len(claims)
            claims = []
        if claims:
            check = Verification(verdict.sentences, dropped, False, reasons)
            return Reply(claims, False, self.name, check, first_token, tokens, generate_ms)
        if verdict.refusal and self._refusal_stands(question, evidence):
            check = Verification(verdict.sentences, dropped, False, reasons)
            return Reply([], True, self.name, check, first_token, tokens, generate_ms)
        fallback = quoted(evidence.sentences)
        check = Verification(verdict.sentences, dropped, True, reasons)
        return Reply(fallback, not fallback, "extractive", check, first_token, tokens, generate_ms)

    def _off_topic(self, question: str, claims: list[Claim]) -> list[Claim]:
        """The claims that share no term with the question, neither they nor their quotes, and are not close
        to it in meaning either (cosine under 0.3)."""
        asked = set(tokenize(question))
        unrelated = [
            c for c in claims if not asked & set(tokenize(" ".join([c.text, *(q.text for q in c.quotes)])))
        ]
        if not unrelated:
            return []
        vectors = self.embedder.embed([question, *(c.text for c in unrelated)])
        return [c for c, v in zip(unrelated, vectors[1:], strict=True) if float(v @ vectors[0]) < 0.3]

    def _stands(self, question: str, claims: list[Claim], evidence: Draft) -> bool:
        """May verified claims be shown? Always for a trusting policy; for a cautious one, only when they agree
        with what the evidence plainly answers (the checks below)."""
        if not self.policy.agreement_checks:
            return True
        return (
            self._agrees(claims, evidence)
            and self._names_the_answer(question, claims, evidence)
            and self._says_something_new(question, claims)
        )

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

    def _refusal_stands(self, question: str, evidence: Draft) -> bool:
        """Does the model's "The documents don't say." stand against the evidence (see `ModelPolicy`)?"""
        cfg = self.policy
        best = evidence.sentences[0] if evidence.sentences else None
        if best is None:
            return True
        if cfg.refusal_overruled_from is not None:  # it stands unless the evidence is strong
            return not (
                best.probability >= cfg.refusal_overruled_from
                and (evidence.kind is None or (best.kind_ok and best.proximity >= 0.5))
            )
        if best.probability < cfg.refusal_stands_below:
            return True
        if best.probability >= cfg.refusal_stands_without_name:
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
                    if _enough(text, MAX_SENTENCES):
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
