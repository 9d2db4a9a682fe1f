"""Every code point persearch treats specially, named once, and the tables built from them.

This module is the only home of character facts. Other modules import the names
and tables below; none spells a code point of its own.

Folding, in words:
- Arabic yeh ي, alef maksura ى and other yeh shapes become Farsi yeh ی;
  Arabic kaf ك becomes keheh ک.
- Teh marbuta ة, heh-with-yeh ۀ, heh goal ہ, heh doachashmee ھ and ae ە become heh ه.
- Alef with hamza above/below أ إ, alef wasla ٱ and alef with madda آ become alef ا;
  waw with hamza ؤ becomes و. Yeh with hamza ئ is context dependent (see normalize.py).
- Diacritics (tanwin, fatha … sukun, shadda, hamza above/below, superscript alef,
  Quranic marks) and tatweel are removed.
- Invisible and directional format characters are removed.
- Arabic-Indic ٠-٩ and Extended Arabic-Indic (Persian) ۰-۹ digits become ASCII 0-9.
"""
from __future__ import annotations

# --- Letters -----------------------------------------------------------------
ALEF = "\u0627"  # ا
ALEF_MADDA = "\u0622"  # آ
ALEF_HAMZA_ABOVE = "\u0623"  # أ
ALEF_HAMZA_BELOW = "\u0625"  # إ
ALEF_WASLA = "\u0671"  # ٱ
ALEF_WAVY_HAMZA_ABOVE = "\u0672"
ALEF_WAVY_HAMZA_BELOW = "\u0673"
HIGH_HAMZA_ALEF = "\u0675"
HAMZA = "\u0621"  # ء (standalone)
WAW = "\u0648"  # و
WAW_HAMZA = "\u0624"  # ؤ
HIGH_HAMZA_WAW = "\u0676"
YEH_HAMZA = "\u0626"  # ئ
HIGH_HAMZA_YEH = "\u0678"
FARSI_YEH = "\u06cc"  # ی
ARABIC_YEH = "\u064a"  # ي
ALEF_MAKSURA = "\u0649"  # ى
KASHMIRI_YEH = "\u0620"
FARSI_YEH_INVERTED_V = "\u063d"
FARSI_YEH_TWO_DOTS_ABOVE = "\u063e"
FARSI_YEH_THREE_DOTS_ABOVE = "\u063f"
YEH_WITH_TAIL = "\u06cd"
YEH_E = "\u06d0"
YEH_BARREE = "\u06d2"
KEHEH = "\u06a9"  # ک (the Persian kaf)
ARABIC_KAF = "\u0643"  # ك
SWASH_KAF = "\u06aa"
HEH = "\u0647"  # ه
TEH_MARBUTA = "\u0629"  # ة
HEH_YEH = "\u06c0"  # ۀ
HEH_GOAL = "\u06c1"  # ہ
HEH_GOAL_HAMZA = "\u06c2"
TEH_MARBUTA_GOAL = "\u06c3"
HEH_DOACHASHMEE = "\u06be"  # ھ
AE = "\u06d5"  # ە
TATWEEL = "\u0640"  # ـ (kashida, a stretching stroke)

# --- Invisible characters ----------------------------------------------------
ZWNJ = "\u200c"  # zero-width non-joiner: joins the parts of one Persian word
ZWSP = "\u200b"
ZWJ = "\u200d"
LRM = "\u200e"
RLM = "\u200f"
ALM = "\u061c"  # Arabic letter mark
SOFT_HYPHEN = "\u00ad"
BOM = "\ufeff"  # zero-width no-break space
WORD_JOINER = "\u2060"
NBSP = "\u00a0"

#: Format characters that never split a word and never reach a term.
#: U+202A-U+202E: LRE RLE PDF LRO RLO; U+2066-U+2069: LRI RLI FSI PDI;
#: U+2061-U+2064: invisible math operators.
FORMAT_CHARS = (
    ZWSP + ZWJ + LRM + RLM + ALM + SOFT_HYPHEN + BOM + WORD_JOINER
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2061, 0x2065)))
    + "".join(map(chr, range(0x2066, 0x206A)))
)

# --- Combining marks ---------------------------------------------------------
#: Arabic harakat and Quranic annotation marks: tanwin (U+064B-U+064D), fatha,
#: damma, kasra, shadda, sukun (U+064E-U+0652), maddah/hamza above/below and the
#: rest of the block (U+0653-U+065F), superscript alef U+0670, honorifics
#: U+0610-U+061A and Quranic marks U+06D6-U+06ED (bar U+06DD, U+06DE, U+06E5,
#: U+06E6, U+06E9 which are not marks).
ARABIC_MARKS = (
    "".join(map(chr, range(0x0610, 0x061B)))
    + "".join(map(chr, range(0x064B, 0x0660)))
    + "\u0670"
    + "".join(chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06DD, 0x06DE, 0x06E5, 0x06E6, 0x06E9))
)
#: Latin combining diacritics (decomposed é etc.): kept inside words, folded away.
LATIN_MARKS = "".join(map(chr, range(0x0300, 0x0370)))

# --- Digits and number punctuation ------------------------------------------
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660-U+0669
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0-U+06F9
ARABIC_DECIMAL_SEPARATOR = "\u066b"  # ٫
ARABIC_THOUSANDS_SEPARATOR = "\u066c"  # ٬

# --- Arabic-script letters ---------------------------------------------------
#: Letters of the Arabic block, Persian and Arabic alike: where one touches a
#: digit (۹کیلومتر, عرض۶) a space was left out, so the analyzer cuts there.
#: As a regex character-class body of ranges (the code points of category Lo in
#: U+0620-U+06FF): ranges compile far faster than 150 single characters.
ARABIC_SCRIPT_LETTERS = "\u0620-\u063f\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06fc\u06ff"

# --- Presentation forms ------------------------------------------------------
#: Arabic Presentation Forms-A (U+FB50-U+FDFF) and -B (U+FE70-U+FEFE): shaped
#: glyph code points from old encoders and PDFs; NFKC maps them to letters.
PRESENTATION_FORMS_RANGES = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFE))
#: Phrase ligatures that NFKC leaves alone (symbols, not letters), spelled out as
#: the words they stand for (their Unicode names), so each word is searchable.
#: NFKC already spells out the letter ligatures (ﷺ → صلى الله عليه وسلم, ﷲ → الله).
PHRASE_LIGATURES = {
    "\ufdfd": "بسم الله الرحمن الرحیم",  # ﷽ BISMILLAH AR-RAHMAN AR-RAHEEM
    "\ufdfe": "سبحانه و تعالی",  # ﷾ SUBHAANAHU WA TAAALAA
    "\ufdff": "عز و جل",  # ﷿ AZZA WA JALL
}
#: Symbols of the ligature block that stand for words (﷼ RIAL SIGN and the
#: above): the tokenizer counts them as word characters.
WORD_SYMBOLS = "\ufdfc" + "".join(PHRASE_LIGATURES)

# --- Punctuation that must never act as a query operator ---------------------
ARABIC_COMMA = "\u060c"  # ،
ARABIC_SEMICOLON = "\u061b"  # ؛
ARABIC_QUESTION_MARK = "\u061f"  # ؟
LEFT_GUILLEMET = "\u00ab"  # «
RIGHT_GUILLEMET = "\u00bb"  # »


# --- One byte per character, for what an index stores -----------------------
EN_DASH, EM_DASH, ELLIPSIS, BULLET = "\u2013", "\u2014", "\u2026", "\u2022"
QUOTES = "\u2018\u2019\u201c\u201d"  # ‘ ’ “ ”
#: The 128 characters persearch.compact stores in one byte each (ASCII keeps its
#: own bytes): every letter, mark, digit and sign Persian and Arabic news text
#: uses. A text with any other character is stored in UTF-8. The order is part
#: of the index format: never reorder; changing it needs a new schema version.
STORAGE_CHARS = (
    "".join(map(chr, range(0x0621, 0x063B)))  # ء … غ
    + TATWEEL + "".join(map(chr, range(0x0641, 0x0656)))  # ف … ي, harakat, madda, hamza above/below
    + "\u0670" + ARABIC_INDIC_DIGITS + "\u066a" + ARABIC_DECIMAL_SEPARATOR + ARABIC_THOUSANDS_SEPARATOR
    + "\u066d" + ALEF_WASLA + "\u067e\u0686\u0698" + KEHEH + "\u06af" + FARSI_YEH  # پ چ ژ ک گ ی
    + HEH_YEH + HEH_GOAL + HEH_DOACHASHMEE + AE + YEH_BARREE + "\u06d4" + PERSIAN_DIGITS
    + ARABIC_COMMA + ARABIC_SEMICOLON + ARABIC_QUESTION_MARK + ALM
    + ZWNJ + ZWJ + ZWSP + LRM + RLM + BOM + NBSP + SOFT_HYPHEN + LEFT_GUILLEMET + RIGHT_GUILLEMET
    + EN_DASH + EM_DASH + ELLIPSIS + BULLET + QUOTES + "\u00d7\u00f7\u00b0\u00a9\u2212\u2010"
    + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A))) + WORD_JOINER
    + SWASH_KAF + KASHMIRI_YEH + YEH_WITH_TAIL + YEH_E
)


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for ch in (ARABIC_YEH, ALEF_MAKSURA, KASHMIRI_YEH, FARSI_YEH_INVERTED_V, FARSI_YEH_TWO_DOTS_ABOVE,
               FARSI_YEH_THREE_DOTS_ABOVE, YEH_WITH_TAIL, YEH_E, YEH_BARREE):
        table[ord(ch)] = FARSI_YEH
    for ch in (ARABIC_KAF, SWASH_KAF):
        table[ord(ch)] = KEHEH
    for ch in (TEH_MARBUTA, HEH_YEH, HEH_GOAL, HEH_GOAL_HAMZA, TEH_MARBUTA_GOAL, HEH_DOACHASHMEE, AE):
        table[ord(ch)] = HEH
    for ch in (ALEF_MADDA, ALEF_HAMZA_ABOVE, ALEF_HAMZA_BELOW, ALEF_WASLA, ALEF_WAVY_HAMZA_ABOVE,
               ALEF_WAVY_HAMZA_BELOW, HIGH_HAMZA_ALEF):
        table[ord(ch)] = ALEF
    for ch in (WAW_HAMZA, HIGH_HAMZA_WAW):
        table[ord(ch)] = WAW
    table[ord(HIGH_HAMZA_YEH)] = YEH_HAMZA  # then handled like ئ
    for ch in ARABIC_MARKS + LATIN_MARKS + FORMAT_CHARS + TATWEEL + ZWNJ:
        table[ord(ch)] = None
    for digits in (ARABIC_INDIC_DIGITS, PERSIAN_DIGITS):
        for value, ch in enumerate(digits):
            table[ord(ch)] = str(value)
    table[ord(ARABIC_DECIMAL_SEPARATOR)] = "."
    for ligature, words in PHRASE_LIGATURES.items():
        table[ord(ligature)] = f" {words} "
    table[ord(ARABIC_THOUSANDS_SEPARATOR)] = None
    return table


#: str.translate table: letter folding, digit folding, marks/format/tatweel/ZWNJ removed.
FOLD_TABLE = _fold_table()
