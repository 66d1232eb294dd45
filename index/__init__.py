"""Documents into an index: loading, boilerplate marking, chunking, embedding, storing."""
