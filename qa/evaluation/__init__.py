"""Measuring the product: `qa eval` (datasets, metrics, report, baselines), fitting the answerer (`tune`) and
`qa bench`."""
