"""From a question to the extractive evidence: retrieval, candidate sentences, answer kinds, premise checks,
the extractive answerer and the source passages; and the seam (`answerer.py`) every answerer plugs into."""
