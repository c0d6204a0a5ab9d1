"""Words: how text is cut for the inline diff, counted for the summary and compared for similarity."""

from __future__ import annotations

import re
from collections.abc import Iterator

# Scripts written without spaces between words: each character is a word of its own, so an edit
# in a Chinese sentence marks the characters that changed, not the whole sentence.
_UNSPACED = (
    "\u2e80-\u2fff\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf"
# A word: a number such as 3.14; letters and digits (with their combining marks) and inner
# apostrophes, as in "don't"; an unspaced character; an emoji with its modifiers and joined
# parts, or a flag; a run of whitespace; or any other single character (punctuation).
_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)+"
    rf"|[{_UNSPACED}]"
    r"|[\U0001f1e6-\U0001f1ff]{2}"
    rf"|[{_EMOJI}](?:[\U0001f3fb-\U0001f3ff\ufe0f\u20e3]|\u200d[{_EMOJI}]\ufe0f?)*"
    rf"|(?:(?![{_UNSPACED}])[\w\u0300-\u036f\u200c\u200d])+(?:['\u2019](?:(?![{_UNSPACED}])[\w\u0300-\u036f])+)*"
    r"|\s+"
    r"|.",
    re.DOTALL,
)
_WORDLIKE = re.compile(rf"[\w{_UNSPACED}]")


def tokens(text: str) -> list[str]:
    """The text cut into words, whitespace runs and single other characters; joined, they give it back."""
    return _TOKEN.findall(text)


def is_word(token: str) -> bool:
    """True for a token the summary counts as a word (not whitespace or punctuation)."""
    return _WORDLIKE.match(token) is not None


def words(text: str) -> Iterator[str]:
    """The words of a text, in order."""
    return (token for token in _TOKEN.findall(text) if _WORDLIKE.match(token))


def count_words(text: str) -> int:
    """How many words a text holds."""
    return sum(1 for _ in words(text))
