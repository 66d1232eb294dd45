"""The extractive evidence that every answerer builds on: candidate sentences, scored, and the draft answer.

`Sentence` is a candidate with the signals measured on it; `Draft` is the extractive answerer's decision (the
sentences to quote or a refusal) with every candidate ranked, so that a generative answerer can read the same
evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.answering.kinds import Kind
from qa.types import Passage

# How much of the question a sentence and its section heading must hold together for the heading's words to
# count as the sentence's (IDF-weighted share; see `Sentence.relevance`).
SECTION_COVER = 0.8


@dataclass(frozen=True)
class Sentence:
    """A candidate answer sentence with its features and score."""

    id: str
    doc_id: str
    source: str
    start: int
    end: int
    text: str
    # a row of a pipe table as a record under the table's headers ("Child's age: 2 to 4 years; How much: 7.5
    # ml."), as a spreadsheet's row is written; None for any other sentence
    record: str | None = None
    dense: float = 0.0
    # Share of the question's terms the sentence holds, a surname counting as the full name the question gives
    # (overlap), or the words as written, "Qaani" not being "Esmail Qaani" (literal).
    overlap: float = 0.0
    literal: float = 0.0
    window: float = 0.0  # overlap of the sentence with the one before it and its section's headings
    section: float = 0.0  # literal overlap of the sentence, its section's headings and the title (0: none)
    # the terms of those headings and the title ("parent", "leav")
    section_terms: frozenset[str] = frozenset()
    passage: float = 0.0
    kind_ok: bool = True
    focus_ok: bool = True  # speaks of what a "what X / how much X" question asks about
    proximity: float = 0.0
    bigrams: float = 0.0
    novelty: float = 0.0
    terms: int = 0
    run: float = 0.0  # longest unbroken run of the question's terms, as a share of them
    bm25: float = 0.0  # Okapi BM25 of the sentence for the question's terms
    passage_rank: int = -1  # rank of the best retrieved passage holding it (-1: found by embedding only)
    lexical_rank: int = -1  # that passage's rank by BM25 (-1: not among the BM25 hits)
    dense_rank: int = -1  # ... and by embedding
    doc_share: float = 0.0  # share of the retrieved passages' scores that falls in its document
    added: int = 0  # distinct terms the question does not use
    before_overlap: float = 0.0  # literal overlap of the sentence before it
    after_overlap: float = 0.0  # ... and of the one after it
    number: bool = False  # holds a number the question does not
    name: bool = False  # names something the question does not (beyond its first word)
    heading: bool = False  # a line of its own without punctuation or numbers
    cues: frozenset[str] = frozenset()  # the question's cues (`kinds.cues`) that the sentence gives
    antecedent: int | None = None  # start of the sentence naming what its pronoun subject refers to
    antecedent_text: str | None = None  # the document's text from there to this sentence
    antecedent_answers: bool = False  # that sentence names the asked person ("Who ...?" / "She ...")
    after_start: int | None = None  # start of the sentence after it
    after_gap: str | None = None  # the white space before it (None: something else lies between)
    # its document is of the year or version asked about (1), of another (-1), or either (0); for a question
    # naming none, 1 for the newest edition's sentence and -1 for an older one's saying the same
    # (`candidates.newest_editions`)
    version: int = 0
    # it stands in a section whose heading shares the question's words, while another heading of its document
    # names what the question asks about and it does not ("## Annual leave" for "... sick leave?"), and it
    # matches under half of the question by itself or says its own heading ("Annual leave is ...")
    other_section: bool = False
    # IDF-weighted share of the question's terms that its section's headings and the document's title hold, when
    # its own section's heading holds one of them (0 otherwise: the title alone ties every sentence to it)
    heading_cover: float = 0.0
    # its document never mentions a rare word of the question ("ibuprofen") that another candidate's document is
    # about (its name, title or a heading names it), and another candidate's document mentions more of those
    # words (`candidates.off_subject`): the paracetamol leaflet does not answer for ibuprofen
    off_subject: bool = False
    # the question's name its document is about, where the question names several ("PulseFit" of "Which is
    # cheaper, PulseFit or Ironworks?"; `candidates.named_subjects`), else ""
    subject: str = ""
    defines: bool = False  # it defines the short form the question asks about ("interferon-induced transmembrane (IFITM)")
    # the heading above it that gives the time a "when"/"which version" question asks and it does not: (start,
    # end, text) of "## [2.5.0] - 2024-08-29" above "- Amazon S3 storage backend." in a changelog; None otherwise
    dated_heading: tuple[int, int, str] | None = None
    # the heading above it that names the thing the question names by a word and a number (`kinds.asked_labels`)
    # where it does not itself: "## Day 2 - Wed 15 Oct" (a workbook's sheet) above "Start: 12:30; ...; Session:
    # Lunch." for "What time is lunch on day 2?"; "" otherwise
    label_heading: str = ""
    score: float = 0.0
    probability: float = 0.0

    @property
    def reads(self) -> str:
        """What the sentence says: a pipe table's row with its column headers (`record`), else its text."""
        return self.record or self.text

    @property
    def relevance(self) -> float:
        """Absolute match to the question (unlike `score`, comparable across questions). It takes the words as
        written: a shortened name ranks a sentence about that person, but does not by itself make it relevant
        ("When was Esmail Qaani born?" is not answered by "Qaani took over the force in 2020"). The words of the
        heading a sentence stands under count as its own when together they hold (nearly) all of the question
        ("## Parental leave" / "Employees receive sixteen weeks at full pay." for "How long is parental
        leave?"); a question that asks more than the heading and the sentence say ("Can I carry over sick
        leave?" of a sentence under "## Sick leave" that does not say "carry over") is matched by the sentence
        alone."""
        literal = self.section if self.section >= SECTION_COVER else self.literal
        return self.dense + literal


@dataclass(frozen=True)
class Draft:
    """The answerer's choice: sentences to quote, best first, or a refusal; and every candidate, ranked."""

    sentences: list[Sentence]
    refused: bool
    kind: Kind | None
    ranked: list[Sentence] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # doc_id -> (source, text) of candidates
