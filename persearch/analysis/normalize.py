"""Pure ``str -> str`` normalization of one word.

Normalization works on a single word (a token's surface text), never on a
whole document: offsets into the original text stay exact because the
tokenizer finds words in the original and only the *term* is normalized.

    >>> normalize_word("كِتابـها")
    'کتابها'
    >>> normalize_word("۱۴۰۳")
    '1403'
"""
from __future__ import annotations

import re
import unicodedata

from .chars import ALEF, FOLD_TABLE, HAMZA, PRESENTATION_FORMS_RANGES, WAW, YEH_HAMZA, FARSI_YEH

#: Presentation forms, Latin ligatures and full-width forms only normalize under
#: NFKC; checking first keeps NFKC off the common path.
NEEDS_NFKC = re.compile(
    "[\ufb00-\ufb4f" + "".join(f"{chr(a)}-{chr(b)}" for a, b in PRESENTATION_FORMS_RANGES) + "\uff00-\uffef]"
)
# Precomposed accented Latin letters (é, ñ, ö): decomposed so their accent goes
# like the accent of an already decomposed e + U+0301, and école = école = ecole.
# Only these characters are decomposed: NFD would also split ئ into ی + hamza.
LATIN_ACCENTED = re.compile("[\u00c0-\u024f\u1e00-\u1eff]+")
_VOWEL_LETTERS = ALEF + WAW + FARSI_YEH
# ئ before ی (رئیس, پائیز) or after ا (مسائل, ارائه) is written ی in the other
# spelling; before و (مسئول) it is و (مسؤول → مسوول). Before a consonant (مسئله,
# هیئت) both ی and ا occur, so the word also gets an ا variant (see hamza_variant).
_YEH_HAMZA_BEFORE_WAW = re.compile(YEH_HAMZA + "(?=" + WAW + ")")
_YEH_HAMZA_BEFORE_CONSONANT = re.compile(f"(?<!{ALEF}){YEH_HAMZA}(?=[^{_VOWEL_LETTERS}])")
# What can fold to ئ: ئ itself and what FOLD_TABLE maps to it (NFKC forms aside).
# Most words hold none, and hamza_variant then skips folding them.
_YEH_HAMZA_SOURCES = re.compile(
    "[" + YEH_HAMZA + "".join(chr(code) for code, to in FOLD_TABLE.items() if to and YEH_HAMZA in to) + "]"
)


# Either of the two above: one search keeps both off the common path.
_NFKC_OR_ACCENTED = re.compile(f"{NEEDS_NFKC.pattern}|{LATIN_ACCENTED.pattern}")


def _decompose(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFD", match.group())


def fold(text: str) -> str:
    """Fold letters, digits and case and drop marks, tatweel and invisible characters.

    Does not handle ئ (see :func:`normalize_word`). ``fold("ي") == "ی"``.
    """
    if _NFKC_OR_ACCENTED.search(text):
        if NEEDS_NFKC.search(text):
            text = unicodedata.normalize("NFKC", text)  # may compose an accented letter: decomposed next
        if LATIN_ACCENTED.search(text):
            text = LATIN_ACCENTED.sub(_decompose, text)
    # lower() before translate(): lowering can add a combining mark (İ → i̇).
    return text.lower().translate(FOLD_TABLE)


def normalize_word(word: str) -> str:
    """The normalized term form of one word: ``normalize_word("مسأله") == "مساله"``.

    Thousands separators inside numbers are dropped (``"1,000"`` → ``"1000"``)
    and the final hamza of ``اء`` endings goes (اجزاء → اجزا).
    """
    word = fold(word)
    if YEH_HAMZA in word:
        word = _YEH_HAMZA_BEFORE_WAW.sub(WAW, word).replace(YEH_HAMZA, FARSI_YEH)
    if "," in word:
        word = word.replace(",", "")
    if word.endswith(ALEF + HAMZA):
        word = word.rstrip(HAMZA)
    return word


def hamza_variant(word: str) -> str | None:
    """The ا spelling of a word whose ئ stands before a consonant, else None.

    ``hamza_variant("مسئله") == "مساله"``: مسئله, مسأله and مساله must meet, but
    ئ cannot fold to ا everywhere (رئیس is also written رییس), so such words get
    both forms as terms at one position.
    """
    if not _YEH_HAMZA_SOURCES.search(word) and not NEEDS_NFKC.search(word):
        return None
    folded = fold(word)
    if YEH_HAMZA not in folded or not _YEH_HAMZA_BEFORE_CONSONANT.search(folded):
        return None
    return normalize_word(_YEH_HAMZA_BEFORE_CONSONANT.sub(ALEF, folded))


def normalize(text: str) -> str:
    """Normalize free text (a query, a title) word by word; ZWNJ becomes nothing.

    ``normalize("كتاب‌هاي من") == "کتابهای من"``. For search terms use the analyzer,
    which also stems and handles compounds.
    """
    return " ".join(normalize_word(w) for w in text.split())
