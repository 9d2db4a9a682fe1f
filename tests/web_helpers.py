"""A small Persian corpus and a real ``persearch serve`` process, shared by the web tests."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).with_name("persearch")
ZWNJ = "\u200c"
#: A document whose title and text are markup: it must show as text.
HOSTILE_TITLE = "<script>alert('title')</script> کتابخانهٔ <b>مرکزی</b>"
HOSTILE_BODY = "متن <script>alert('body')</script> دربارهٔ کتابخانه و <img src=x onerror=alert(1)> کتاب‌ها"
TEXTS = {
    "a.txt": f"خبر نخست\nرئیس{ZWNJ}جمهوری امروز به کتابخانه رفت و کتاب{ZWNJ}ها را دید.\n",
    "b.txt": "خبر دوم\nرئیسجمهوری گفت که او میخواهد مساله را حل کند.\n",
    "c.md": "# درختان\n\nدر سال ۱۴۰۳ درختان بسیاری در تهران کاشته شد.\n",
    "hostile.html.txt": f"{HOSTILE_TITLE}\n{HOSTILE_BODY}\n",
}
#: Documents enough for several pages of one word.
FOREST = 23


def write_corpus(folder: Path) -> Path:
    """The seeds, the texts above, a JSONL record and :data:`FOREST` files about trees."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    record = {"id": "x1", "title": "عنوان <i>رکورد</i>", "text": "كتاب علي در کتابخانه"}
    (folder / "r.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    forest = folder / "forest"
    forest.mkdir(exist_ok=True)
    for number in range(FOREST):
        (forest / f"{number:02d}.txt").write_text(
            f"جنگل شماره {number}\n" + "درخت " * (number + 1) + "در کنار رودخانه روییده است.\n", encoding="utf-8")
    return folder


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PERSEARCH_INDEX", "NO_COLOR", "PERSEARCH_BIDI")}
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=300)


def build_index(corpus: Path, location: Path, backend: str) -> Path:
    done = run_cli("index", str(corpus), "--index", str(location), "--backend", backend)
    assert done.returncode == 0, done.stderr
    return location


def cli_json(*args: str) -> Any:
    done = run_cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class Server:
    """``persearch serve`` in a child process, on a port the system chooses."""

    LISTENING = re.compile(r"at (http://\S+/) ")

    def __init__(self, *args: str, timeout: float = 60) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PERSEARCH_INDEX"}
        self.process = subprocess.Popen([str(EXE), "serve", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)
        self.lines: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            found = self.LISTENING.search(line)
            if found:
                self.url = found.group(1)
                return
        self.process.kill()
        raise AssertionError(f"persearch serve did not start: {self.lines}")

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def get(self, path: str, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        """``(status, headers, body)`` of a GET; 4xx and 5xx are answers too."""
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get_json(self, path: str) -> tuple[int, Any]:
        status, _, body = self.get(path)
        return status, json.loads(body)

    def stop(self, signal_number: int = signal.SIGTERM, timeout: float = 30) -> tuple[int, str]:
        """Send ``signal_number``; the exit code and the rest of stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
        try:
            _, rest = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, rest = self.process.communicate()
            raise AssertionError("persearch serve did not stop") from None
        return self.process.returncode, rest


def serving(*args: str) -> Iterator[Server]:
    """A fixture body: a server for the test, stopped afterwards."""
    server = Server(*args)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
