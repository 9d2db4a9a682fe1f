"""Persian analysis: a tokenizer finds words in the original text, and each
word becomes index terms through normalization, affix gluing, stemming,
compound splitting and stopword marking, with offsets that point back into
the original text.

Modules by role: chars (code points) ← normalize (str → str) ← tokenize
(word groups) ← stem, compounds, lexicon (word lists: stopwords, words not
to stem) ← analyzer (the chain) ← whoosh_adapter (imports Whoosh; only the
index needs it). optional.py plugs in hazm or parsivar stages when their
extras are installed.
"""
from .analyzer import Analyzer, Token, analyze
from .normalize import normalize, normalize_word

__all__ = ["Analyzer", "Token", "analyze", "normalize", "normalize_word"]
