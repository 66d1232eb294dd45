"""Generated answers: `--llm` specs and the bundled models, the prompt, the generative answerer, and the
verification that checks every generated sentence against the passages it cites."""
