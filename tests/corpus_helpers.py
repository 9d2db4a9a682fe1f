"""Generated Persian test corpora shared by the index tests."""
from __future__ import annotations

from pathlib import Path

#: Cities the generated reports are about, in turn.
CITIES = ["تهران", "شیراز", "اصفهان", "تبریز", "مشهد", "یزد", "کرمان", "رشت", "قم", "سمنان"]


def write_reports(folder: Path, count: int, sentences: int = 40) -> Path:
    """``count`` Persian .txt files in ``folder``: ``NNN.txt``, titled ``خبر N از CITY``, each of
    ``sentences`` sentences saying گزارش, the city of ``CITIES[N % 10]`` and کتابخانه‌ها."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        city = CITIES[i % len(CITIES)]
        body = " ".join(f"گزارش {i} از {city} درباره کتابخانه‌های شماره {k}." for k in range(sentences))
        (folder / f"{i:03d}.txt").write_text(f"خبر {i} از {city}\n{body}\n", encoding="utf-8")
    return folder
