"""The shipped word lists and the lexicon that answers lookups on them."""
from __future__ import annotations

from persearch.analysis.chars import ZWNJ
from persearch.analysis.lexicon import DATA_DIR, Lexicon, _entries, base_words


def test_word_list_is_sorted_by_joined_form() -> None:
    # Binary search relies on it (scripts/build_wordlist.py writes it so).
    joined = list(base_words())
    assert len(joined) > 30_000 and joined == sorted(joined)


def test_binary_search_and_hash_set_give_the_same_answers() -> None:
    lines = _entries((DATA_DIR / "words.txt").read_text(encoding="utf-8"))
    by_search, by_set = Lexicon(lines), Lexicon(lines)
    by_set.SWITCH_AFTER = 0  # the first lookup builds the sets
    probes = ["ایران", "رییس", "جمهوری", "رییسجمهوری", "کتابخانه", "ایر", "عل", "ریشهکن", "", "zzz", "ی"]
    probes += [line.replace(ZWNJ, "") for line in lines[::997]]
    for word in probes:
        assert (word in by_search) == (word in by_set), word
        assert by_search.parts(word) == by_set.parts(word), word
    assert by_search._set is None and by_set._set is not None
    assert by_search.parts("رییسجمهوری") == ("رییس", "جمهوری") and "ایر" not in by_search
