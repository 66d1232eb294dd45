"""Question answering over document collections, with answers that cite exact passages.

from qa import Assistant
assistant = Assistant.open(store=".qa-store")
print(assistant.ask("Who commands Iran's Quds Force?").answer)
"""

from index.errors import BadInput, NotFound, QAError
from qa.assistant import Assistant, Chat
from qa.types import Answer, Citation, CitedPassage, Passage

__all__ = [
    "Answer",
    "Assistant",
    "BadInput",
    "Chat",
    "Citation",
    "CitedPassage",
    "NotFound",
    "Passage",
    "QAError",
]
