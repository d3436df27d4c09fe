"""The one tokeniser of the site: the build and the browser (`static/tokens.js`) split and stem
text exactly alike, so that a word a reader types meets the word the build indexed.

Steps, in both languages: lowercase and fold accents (`normalise`), split into runs of letters
and digits, drop stop words and 1-letter fragments, then stem each word with the Snowball
stemmer of its script: Cyrillic words with the Russian one, Arabic-script words with the Arabic
one, Latin words with the site's language, and so on (`stemmer_table`). The Snowball stemmers
are generated from the same algorithms for Python (`snowballstemmer` on PyPI) and JavaScript
(vendored under `static/snowball/`, BSD licence), and tests/test_tokens_js.py runs both over
the whole starter vocabulary and a multilingual word list.

Why Snowball and not a hand-written suffix stripper: it is the reference stemmer of the field,
exists in both languages from one source, and covers the languages fact-checkers publish in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import snowballstemmer

MIN_TOKEN = 2
MAX_TOKEN = 40
# English function words; "who" stays searchable (the WHO), and so do "us" and "eu".
_STOP_WORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while whom why will with would you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
TOKEN_RE = re.compile(r"[^\W_]+")

# Script of a word = the script of its first letter found in these ranges (inclusive).
SCRIPTS: tuple[tuple[str, int, int], ...] = (
    ("latin", 0x61, 0x7A),
    ("latin", 0xC0, 0x24F),
    ("greek", 0x370, 0x3FF),
    ("cyrillic", 0x400, 0x52F),
    ("armenian", 0x530, 0x58F),
    ("arabic", 0x600, 0x6FF),
    ("arabic", 0x750, 0x77F),
    ("arabic", 0xFB50, 0xFDFF),
    ("arabic", 0xFE70, 0xFEFF),
    ("devanagari", 0x900, 0x97F),
    ("tamil", 0xB80, 0xBFF),
)
# The stemmer a script gets when the site's language is not written in it.
SCRIPT_DEFAULTS = {
    "latin": "english",
    "greek": "greek",
    "cyrillic": "russian",
    "armenian": "armenian",
    "arabic": "arabic",
    "devanagari": "hindi",
    "tamil": "tamil",
}
# Site language (ISO 639-1, as in `language = "fr"`) -> Snowball algorithm and its scripts.
LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ar": ("arabic", ("arabic",)),
    "ca": ("catalan", ("latin",)),
    "cs": ("czech", ("latin",)),
    "da": ("danish", ("latin",)),
    "de": ("german", ("latin",)),
    "el": ("greek", ("greek",)),
    "en": ("english", ("latin",)),
    "eo": ("esperanto", ("latin",)),
    "es": ("spanish", ("latin",)),
    "et": ("estonian", ("latin",)),
    "eu": ("basque", ("latin",)),
    "fa": ("persian", ("arabic",)),
    "fi": ("finnish", ("latin",)),
    "fr": ("french", ("latin",)),
    "ga": ("irish", ("latin",)),
    "hi": ("hindi", ("devanagari",)),
    "hu": ("hungarian", ("latin",)),
    "hy": ("armenian", ("armenian",)),
    "id": ("indonesian", ("latin",)),
    "it": ("italian", ("latin",)),
    "lt": ("lithuanian", ("latin",)),
    "nb": ("norwegian", ("latin",)),
    "ne": ("nepali", ("devanagari",)),
    "nl": ("dutch", ("latin",)),
    "nn": ("norwegian", ("latin",)),
    "no": ("norwegian", ("latin",)),
    "pl": ("polish", ("latin",)),
    "pt": ("portuguese", ("latin",)),
    "ro": ("romanian", ("latin",)),
    "ru": ("russian", ("cyrillic",)),
    "sr": ("serbian", ("latin", "cyrillic")),
    "st": ("sesotho", ("latin",)),
    "sv": ("swedish", ("latin",)),
    "ta": ("tamil", ("tamil",)),
    "tr": ("turkish", ("latin",)),
}


def stemmer_table(language: str) -> dict[str, str]:
    """Script -> Snowball algorithm for a site written in `language` ("en", "fr-CA"...)."""
    table = dict(SCRIPT_DEFAULTS)
    algorithm, scripts = LANGUAGES.get(language.lower().split("-")[0], ("", ()))
    for script in scripts:
        table[script] = algorithm
    return table


def normalise(text: str) -> str:
    """Lowercase and fold accents ("Kraków" -> "krakow"); `tokens.js` does the same."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    # Only the few distinct characters of this text are checked, not the whole of Unicode.
    marks = {ord(c): None for c in set(decomposed) if unicodedata.category(c)[0] == "M"}
    return decomposed.translate(marks).lower()


def valid(word: str) -> bool:
    return MIN_TOKEN <= len(word) <= MAX_TOKEN and word not in STOP_WORDS


def script_of(word: str) -> str:
    for char in word:
        code = ord(char)
        for script, low, high in SCRIPTS:
            if low <= code <= high:
                return script
    return ""


@lru_cache(maxsize=8)
def _algorithm(name: str) -> Callable[[str], str]:
    return snowballstemmer.stemmer(name).stemWord  # type: ignore[no-any-return]


class Tokeniser:
    """Words of letters and digits, normalised, without stop words, stemmed per script."""

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self.table = stemmer_table(language)
        self._stems: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """The stem of one normalised word; each distinct word is stemmed once."""
        found = self._stems.get(word)
        if found is None:
            if word.isascii():
                script = "latin" if any("a" <= c <= "z" for c in word) else ""
            else:
                script = script_of(word)
            name = self.table.get(script)
            found = _algorithm(name)(word) if name else word
            if len(self._stems) < 1_000_000:
                self._stems[word] = found
        return found

    def words(self, text: str) -> list[str]:
        """The unstemmed tokens (for showing readers which words matched)."""
        return [w for w in TOKEN_RE.findall(normalise(text)) if valid(w)]

    def tokens(self, text: str) -> list[str]:
        return [self.stem(w) for w in self.words(text)]

    def config(self) -> dict[str, object]:
        """What `tokens.js` needs to tokenise exactly like this, for the JSON manifests."""
        return {
            "min": MIN_TOKEN,
            "max": MAX_TOKEN,
            "stop_words": sorted(STOP_WORDS),
            "scripts": [list(s) for s in SCRIPTS],
            "stemmers": dict(sorted(self.table.items())),
        }


@lru_cache(maxsize=16)
def tokeniser(language: str = "en") -> Tokeniser:
    """One shared tokeniser per language, so its stem cache serves the whole build."""
    return Tokeniser(language)
