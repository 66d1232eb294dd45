"""Serving answers to people and programs: the HTTP API, the web guard, the chat's HTML, conversation export,
first-visit examples, and the CLI's client of a running server."""
