"""The extractive answerer: picks the sentences that answer the question, or refuses.

Candidates are the sentences of the best passages and the sentences closest to the question by embedding.
Each gets a feature vector (dense similarity, IDF-weighted overlap with the question's terms, alone and with the
sentence before it, shared bigrams, the rank of its passage, whether it holds the kind of answer asked for and
how near that stands to the question's terms, ...). A linear model fitted on SQuAD (`python -m qa.evaluation.tune`) turns
the features into a score; a softmax over the candidates makes it a probability. The refusal gate looks at how
well the best candidates match the question, then whether the question rests on a detail they contradict
(`qa/answering/premise.py`). The sources are sentence windows around the best candidates.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from index.embed import Embedder
from index.lexical import terms, tokenize
from index.manifest import SpanRow
from index.store import Store
from qa.answering.answerer import Reply
from qa.answering.evidence import Draft, Sentence
from qa.answering.kinds import Kind, entities, focus_words, has_kind, is_person_like, proximity, question_kind
from qa.answering.passages import sentence_windows
from qa.answering.premise import unmet_premise
from qa.answering.retrieve import Retrieval
from qa.chat import rewrite
from qa.cite import Claim, Quote
from qa.types import History, Verification

log = logging.getLogger(__name__)

# The features of a candidate sentence, in the order of AnswerConfig.weights.
FEATURES = (
    "dense",  # cosine similarity of sentence and question embeddings
    "overlap",  # IDF-weighted share of the question's terms in the sentence
    "window",  # the same, over the sentence and the one before it
    "passage",  # fused retrieval score of the best passage holding the sentence (0 when none)
    "kind",  # 1 when the question wants a number/date/person/place/list of names and the sentence has one it
    # does not name
    "proximity",  # how close that candidate answer stands to the question's terms
    "dense_gap",  # dense minus the best dense among the candidates
    "overlap_gap",  # overlap minus the best overlap among the candidates
    "bigrams",  # share of the question's (stemmed) bigrams found in the sentence
    "novelty",  # share of the sentence's terms that the question does not use (an answer says something new)
    "length",  # log(1 + terms in the sentence)
    "short",  # 1 for a sentence of fewer than 4 distinct terms (headings, fragments)
)
# Fitted by `python -m qa.evaluation.tune` (conditional logit over each question's candidates; SQuAD 2.0 dev half,
# trained on half the articles and checked on the other half; README, Quality).
WEIGHTS = (3.32, 2.19, 2.19, 1.47, 1.27, 0.27, 3.32, 2.19, 1.34, -0.58, -0.06, -0.43)


@dataclass(frozen=True)
class AnswerConfig:
    """Weights and thresholds (tuned with `qa eval` / `python -m qa.evaluation.tune` on SQuAD and the seed questions)."""

    passages: int = 5  # candidates come from this many top passages
    weights: tuple[float, ...] = WEIGHTS  # one per FEATURES
    # More sentences join the best one, in score order, while together they hold the answer with a probability
    # below `cover`, each at least `join_probability` likely to hold it, within `max_sentences` and `max_words`.
    # Chosen from the grid of `python -m qa.evaluation.tune`. On the SQuAD dev half (`qa eval`) it gave answer recall 0.853
    # at a median of 35 words (the Answer's words, markers included), where joining every sentence scored within
    # 2.0 of the best (up to three, 100 words) gave 0.851 at 40: sentences join when the answer is uncertain, not
    # merely when they score close. With the lower refusal bar and the premise checks, 0.105 gave 0.855 at 36.
    cover: float = 0.8
    join_probability: float = 0.11
    max_sentences: int = 4
    max_words: int = 150
    lead_by_kind: bool = True  # lead with the sentence holding the asked-for kind of answer (see lead_first)
    lead_within: float = 0.5  # ... among those scored this close to the best
    extra_relevance: float = 0.5  # sentences after the first need at least this dense + literal overlap
    # Refusal: a candidate is relevant when dense + literal overlap reaches this; none relevant -> "don't say".
    # With the premise checks below, 0.7 rather than 0.75 (the bar before them): on the SQuAD dev half's
    # candidates (`qa.evaluation.tune`'s `measure`), answer recall 0.853 and refusals 0.232 against 0.847 and 0.246 at 0.75
    # (false refusals 0.023 against 0.031): the checks refuse better than a higher bar does.
    refuse_below: float = 0.7
    # Number and date questions also need a relevant candidate that holds a number or date.
    kind_refuse_below: float = 0.7
    # Refuse when the quoted sentences contradict or lack a detail the question rests on (`qa/answering/premise.py`).
    check_premise: bool = True
    window_chars: int = 1500  # source passages: the best sentences grown by their neighbours up to this size
    # "How much money ...?" is answered only by a sentence that speaks of money, or of something this close.
    focus_similarity: float = 0.6
    focus_checks: int = 4  # candidates checked by meaning when their words do not name the focus


def features(s: Sentence, kind: Kind | None, best_dense: float, best_overlap: float) -> list[float]:
    """The FEATURES vector, given the question's kind and the best dense and overlap among candidates."""
    return [
        s.dense,
        s.overlap,
        s.window,
        s.passage,
        float(kind is not None and s.kind_ok),
        s.proximity,
        s.dense - best_dense,
        s.overlap - best_overlap,
        s.bigrams,
        s.novelty,
        math.log1p(s.terms),
        float(s.terms < 4),
    ]


def feature_matrix(kind: Kind | None, candidates: list[Sentence]) -> np.ndarray:
    """One FEATURES row per candidate, for a question asking for `kind`."""
    best_dense = max(s.dense for s in candidates)
    best_overlap = max(s.overlap for s in candidates)
    return np.array([features(s, kind, best_dense, best_overlap) for s in candidates], dtype=float)


def lead_first(chosen: list[Sentence], kind: Kind | None, within: float) -> list[Sentence]:
    """The chosen sentences with the one that answers first: for a question wanting a person, date, number,
    place or list, the one holding such an answer nearest the question's terms among those scored within
    `within` of the best; else the best-scored. The rest follow in score order.

    On the candidates `qa.evaluation.tune` collects for the SQuAD dev half, a window of 0.5 lifts the
    answer-in-first-sentence rate from 0.754 (any chosen sentence may lead) to 0.765: a sentence that merely has
    a name beside the question's words ("Qaani assured the Hamas commander") no longer leads one that scores
    clearly better."""
    if kind is None or len(chosen) < 2:
        return chosen
    top = max(s.score for s in chosen)
    lead = max(
        (s for s in chosen if s.score >= top - within), key=lambda s: (s.kind_ok * s.proximity, s.score)
    )
    return [lead, *(s for s in chosen if s is not lead)]


def bigram_share(query: list[str], text: list[str]) -> float:
    """Share of the question's adjacent term pairs that also stand side by side in the text."""
    pairs = set(pairwise(query))
    return len(pairs & set(pairwise(text))) / len(pairs) if pairs else 0.0


def term_overlap(weights: Mapping[str, float], text_tokens: set[str]) -> float:
    """IDF-weighted share of the question's terms that the text contains (0..1).

    Args:
        weights: each of the question's terms -> its IDF.
    """
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in text_tokens) / total if total else 0.0


def name_aliases(question: str) -> list[tuple[list[str], str]]:
    """For each person's full name in the question ("Esmail Qaani"), its first terms and its last term: a
    sentence that says "Qaani" names Esmail Qaani too. Follow-ups make this matter: "Who did he replace?" is
    rewritten with the full name, which most sentences about the man shorten."""
    aliases = []
    for name in entities(question):
        stems = tokenize(name)
        if len(stems) >= 2 and is_person_like(name):
            aliases.append((stems[:-1], stems[-1]))
    return aliases


def with_aliases(token_list: list[str], aliases: list[tuple[list[str], str]]) -> list[str]:
    """The sentence's terms in order, each last name preceded by the rest of its full name when the sentence
    shortens it ("qaani took" -> "esmail qaani took")."""
    if not aliases:
        return token_list
    full = {last: rest for rest, last in aliases}
    out: list[str] = []
    for t in token_list:
        rest = full.get(t)
        if rest and out[-len(rest) :] != rest:
            out.extend(rest)
        out.append(t)
    return out


def quoted(sentences: list[Sentence]) -> list[Claim]:
    """Each sentence as a claim that quotes itself."""
    return [
        Claim(s.text, (Quote(s.doc_id, s.source, s.start, s.end, s.text, s.probability),)) for s in sentences
    ]


class ExtractiveAnswerer:
    """Chooses answer sentences from retrieved passages; its ranking and gate are also the evidence that the
    generative answerer builds on."""

    name = "extractive"

    def __init__(
        self, store: Store, config: AnswerConfig | None = None, embedder: Embedder | None = None
    ) -> None:
        self.store = store
        self.config = config or AnswerConfig()
        self.embedder = embedder  # for matching a question's focus word ("money") by meaning; None: by stem

    def condense(self, question: str, history: History) -> str:
        """Follow-ups rewritten by rule from the entities of earlier turns (`qa/chat.py`)."""
        return rewrite(question, list(history))

    def reply(self, question: str, evidence: Draft) -> Generator[str, None, Reply]:
        """The chosen sentences, best first, each quoting itself; the answer is its first sentence's."""
        claims = [] if evidence.refused else quoted(evidence.sentences)
        if claims:
            yield " ".join(c.text for c in claims)
        return Reply(claims, not claims, self.name, Verification(len(claims)))

    def draft(self, retrieval: Retrieval, sources: int = 10) -> Draft:
        """Score the candidate sentences and decide: quote the best ones, or refuse.

        Args:
            sources: how many source passages (sentence windows around the best candidates) to return.
        """
        candidates, texts = self._candidates(retrieval)
        draft = self.select(retrieval.question, candidates)
        windows = sentence_windows(
            self.store.manifest, texts, draft.ranked, sources, self.config.window_chars, retrieval.passages
        )
        return replace(draft, passages=windows, texts=texts)

    def select(self, question: str, candidates: list[Sentence]) -> Draft:
        """Score candidates with this answerer's weights, then pick the answer sentences or refuse."""
        cfg = self.config
        kind = question_kind(question)
        if not candidates:
            return Draft([], True, kind)
        scores = feature_matrix(kind, candidates) @ np.asarray(cfg.weights, dtype=float)
        odds = np.exp(scores - scores.max())
        probabilities = odds / odds.sum()
        ranked = sorted(
            (
                replace(s, score=float(x), probability=float(p))
                for s, x, p in zip(candidates, scores, probabilities, strict=True)
            ),
            key=lambda s: -s.score,
        )
        # Number and date questions are answered only by sentences holding a number or date.
        needs_kind = kind in (Kind.NUMBER, Kind.DATE)
        eligible = [s for s in ranked if s.focus_ok and (s.kind_ok or not needs_kind)]
        threshold = cfg.kind_refuse_below if needs_kind else cfg.refuse_below
        # The gate asks whether the documents answer the question at all; once they do, the best-ranked
        # sentence leads even when, alone, it matches the question less closely than another (a long sentence
        # that lists the answer, beside a short one that merely shares the question's words).
        if not any(s.relevance >= threshold for s in eligible):
            return Draft([], True, kind, ranked)
        best = next(s for s in eligible if s.relevance >= min(threshold, cfg.extra_relevance))
        chosen = [best]
        covered = best.probability
        words = len(best.text.split())
        quoted = {best.text}
        for other in ranked:  # best first: probabilities fall
            if (
                covered >= cfg.cover
                or len(chosen) >= cfg.max_sentences
                or other.probability < cfg.join_probability
            ):
                break
            more = len(other.text.split())
            if (
                other.text not in quoted
                and other.relevance >= cfg.extra_relevance
                and words + more <= cfg.max_words
            ):
                chosen.append(other)
                quoted.add(other.text)
                covered += other.probability
                words += more
        chosen = lead_first(chosen, kind, cfg.lead_within) if cfg.lead_by_kind else chosen
        if cfg.check_premise:
            why = unmet_premise(question, [s.text for s in chosen], [s.text for s in candidates])
            if why:
                log.info("refused %r: %s", question, why)
                return Draft([], True, kind, ranked)
        return Draft(chosen, False, kind, ranked)

    def _candidates(self, retrieval: Retrieval) -> tuple[list[Sentence], dict[str, tuple[str, str]]]:
        """The candidate sentences, and the texts of their documents: doc_id -> (source, text)."""
        cfg = self.config
        manifest = self.store.manifest
        passage_score: dict[str, float] = {}
        rows: dict[str, SpanRow] = {}
        for passage in retrieval.passages[: cfg.passages]:
            for row in manifest.sentences_within(passage.doc_id, passage.start, passage.end):
                rows[row.id] = row
                passage_score[row.id] = max(passage_score.get(row.id, 0.0), passage.score)
        dense = {hit.id: hit.similarity for hit in retrieval.sentence_hits}
        for hit in retrieval.sentence_hits:
            rows.setdefault(hit.id, SpanRow(hit.id, hit.doc_id, hit.start, hit.end))
        missing = [i for i in rows if i not in dense]
        vectors = self.store.sentences.vectors(missing)
        for id_, vec in vectors.items():
            dense[id_] = float(np.dot(vec, retrieval.query_vector))
        query_tokens = list(retrieval.query_tokens)
        query = set(query_tokens)
        weights = {t: self.store.lexical.idf(t) for t in query}
        aliases = name_aliases(retrieval.question)
        kind = question_kind(retrieval.question)
        texts: dict[str, tuple[str, str]] = {}
        # Only "how much/many X" and "which Xs" questions are held to their focus word: on SQuAD, applying it to
        # every "what X" question refused 4 answerable questions in 100 to stop 6 unanswerable ones in 100.
        focus = focus_words(retrieval.question) if kind in (Kind.NUMBER, Kind.LIST) else []
        out = []
        for id_, row in rows.items():
            if row.doc_id not in texts:
                doc = manifest.document(row.doc_id)
                if doc is None:
                    continue
                texts[row.doc_id] = (doc.source, doc.text)
            source, doc_text = texts[row.doc_id]
            text = doc_text[row.start : row.end]
            written = list(terms(text))
            token_list = with_aliases(written, aliases)
            tokens = set(token_list)
            before = doc_text[max(0, row.start - 300) : row.start]
            window_tokens = tokens | set(tokenize(before.rsplit(".", 1)[-1] if "." in before else before))
            sentence = Sentence(
                id=id_,
                doc_id=row.doc_id,
                source=source,
                start=row.start,
                end=row.end,
                text=text,
                dense=dense.get(id_, 0.0),
                overlap=term_overlap(weights, tokens),
                literal=term_overlap(weights, set(written)),
                window=term_overlap(weights, window_tokens),
                passage=passage_score.get(id_, 0.0),
                kind_ok=has_kind(kind, text, retrieval.question),
                proximity=proximity(kind, text, retrieval.question, query),
                bigrams=bigram_share(query_tokens, token_list),
                novelty=len(tokens - query) / len(tokens) if tokens else 0.0,
                terms=len(tokens),
            )
            out.append(sentence)
        if focus:
            out = self._mark_focus(focus, out)
        return out, texts

    def _mark_focus(self, focus: list[str], candidates: list[Sentence]) -> list[Sentence]:
        """Mark the candidates that speak of the question's focus word: by stem, or (with an embedder, for the
        `focus_checks` most relevant others, in one batch) by a word at least `focus_similarity` close in
        meaning ("funds" for "money"). Candidates too weak to answer are left as they are."""
        cfg = self.config
        focus_stems = set(tokenize(" ".join(focus)))
        strong = [s for s in candidates if s.relevance >= cfg.extra_relevance]
        lexical = {s.id for s in strong if focus_stems & set(terms(s.text))}
        unsure = sorted((s for s in strong if s.id not in lexical), key=lambda s: -s.relevance)[
            : cfg.focus_checks
        ]
        by_meaning = set()
        if unsure and self.embedder is not None:
            words = {s.id: {w.lower() for w in re.findall(r"[A-Za-z][\w’'-]+", s.text)} for s in unsure}
            vocabulary = sorted(set().union(*words.values()))
            if vocabulary:
                closest = (self.embedder.embed_words(focus) @ self.embedder.embed_words(vocabulary).T).max(
                    axis=0
                )
                similarity = dict(zip(vocabulary, closest.tolist(), strict=True))
                by_meaning = {
                    i
                    for i, ws in words.items()
                    if ws and max(similarity[w] for w in ws) >= cfg.focus_similarity
                }
        ok = lexical | by_meaning
        return [
            replace(s, focus_ok=s.id in ok) if s.relevance >= cfg.extra_relevance else s for s in candidates
        ]
