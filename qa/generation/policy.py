"""How far the generative answerer trusts a model: how much evidence it sends, whether verified sentences may
still be overruled, and when the model's "The documents don't say." stands.

Verification (`verify.py`) is the same for every model: what a model writes must be in the passages. What
differs is the rest. The tiny bundled models (Qwen2.5-Coder-0.5B, SmolLM2-135M) read little in the time a user
waits, often answer from a neighbouring sentence, and refuse almost at random; a capable model (a 7B+ model on
Ollama or llama.cpp, GPT-4-class behind an OpenAI-compatible URL) reads several passages, answers what was asked
and refuses when the passages are silent. So:

- `cautious` (the bundled models, and any model whose name says it has under 3B parameters): about 700
  characters of evidence; a verified answer is still replaced by the extractive one when it rests on none of
  the sentences the extractive answerer chose, misses the answer named right beside the question's words, or
  says nothing the question does not; the model's refusal stands only where the evidence is weak too.
- `trusting` (every other model): as much evidence as half its context window holds (up to ten passages); a verified
  sentence is never overruled; the model's refusal stands unless the extractive evidence is strong.

`QA_LLM_POLICY=cautious|trusting` (or `--llm-policy`) sets it for every model; `auto` (the default) chooses as
above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ModelPolicy:
    """What the generative answerer grants a model (see the module docstring).

    Attributes:
        name: `cautious` or `trusting`.
        passages: at most this many sentence windows around the best candidates are sent.
        window_chars: each at most this long.
        context_chars: all of them together at most this long (the first always goes in).
        agreement_checks: replace verified sentences that do not rest on the extractive choice, miss the answer
            named beside the question's words, or say nothing new (`verification.reasons`: `overruled`).
        refusal_stands_below: the model's refusal stands when the best candidate sentence is less likely than
            this to hold the answer...
        refusal_stands_without_name: ... or less likely than this and silent on a name the question asks about.
        refusal_overruled_from: when set, the two bars above do not apply: the refusal stands unless the best
            candidate is at least this likely and holds the kind of answer asked for beside the question's
            words.
    """

    name: str
    passages: int
    window_chars: int
    context_chars: int
    agreement_checks: bool
    refusal_stands_below: float
    refusal_stands_without_name: float
    refusal_overruled_from: float | None


# On 2 CPU cores a 0.5B model reads about 100-130 prompt tokens a second and 1,000 characters of passages are
# about 225 tokens, so its evidence is budgeted to keep the first token within 2 s: on the seed questions, 700
# characters kept answer recall and support (1.0) and brought the first token from 2.4 s to 1.6 s (p50)
# against 1,000. Its refusal bars were measured on three SQuAD samples (100 answerable + 50 not, seeds 7, 11,
# 13): Qwen2.5-Coder-0.5B refused 55-65% of the answerable questions that passed the gate and 61-84% of the
# unanswerable ones; taking its refusal only below 0.1 (or 0.35 when silent on an asked name) cost 1, 0 and 0
# supported answers against the extractive mode.
CAUTIOUS = ModelPolicy(
    name="cautious",
    passages=4,
    window_chars=420,
    context_chars=700,
    agreement_checks=True,
    refusal_stands_below=0.1,
    refusal_stands_without_name=0.35,
    refusal_overruled_from=None,
)
TRUSTING = ModelPolicy(
    name="trusting",
    passages=10,
    window_chars=800,
    context_chars=8000,
    agreement_checks=False,
    refusal_stands_below=1.0,
    refusal_stands_without_name=1.0,
    refusal_overruled_from=0.9,  # measured on SQuAD with a model that refuses (tests/test_llm_truthful.py)
)

# A parameter count under 3 billion in a model's name: "qwen2.5:0.5b", "llama3.2:1b", "smollm2-135m".
_SMALL = re.compile(r"(?<![\d.])(?:0?\.\d+|[12](?:\.\d+)?)\s?b\b|\b\d{2,3}\s?m\b", re.IGNORECASE)


def policy_for(setting: str, model: str, bundled: bool, context_window: int) -> ModelPolicy:
    """The policy for a model.

    Args:
        setting: `auto`, `cautious` or `trusting` (QA_LLM_POLICY).
        model: the model's name, as `Answer.model` reports it.
        bundled: the model is one of the bundled local models.
        context_window: tokens the model reads; a trusting policy sends what fits in about half of it.
    """
    if setting == "cautious" or (setting == "auto" and (bundled or _SMALL.search(model))):
        return CAUTIOUS
    # About 3.5 characters a token, half the window for passages, the rest for the prompt and the answer.
    budget = max(CAUTIOUS.context_chars, min(TRUSTING.context_chars, context_window * 35 // 20))
    return replace(TRUSTING, context_chars=budget)
