"""Rendering highlighted spans: HTML, ANSI, rich markup, plain marks."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from persearch.analysis.chars import ZWNJ
from persearch.render import marked, to_ansi, to_html, to_rich


def test_rendering_escapes_everything_else() -> None:
    text = "<b>کتاب</b> & [x]"
    assert to_html(text, [(3, 7)]) == "&lt;b&gt;<mark>کتاب</mark>&lt;/b&gt; &amp; [x]"
    assert to_ansi("کتاب خوب", [(0, 4)]) == "\x1b[1;31mکتاب\x1b[0m خوب"
    assert to_rich(text, [(3, 7)]) == "<b>[bold red]کتاب[/]</b> & \\[x]"


def test_library_highlights_look_like_the_command_lines() -> None:
    """Hit.to_ansi() writes the escapes rich writes for the CLI's highlight style."""
    import io

    from persearch.cli import output

    stream = io.StringIO()
    con = output.console(stream, color=True)
    (line, spans), = output.marked_lines("او کتاب خرید", [(3, 7)])
    con.print(output.rich_line(line, spans), end="")
    assert stream.getvalue() == to_ansi("او کتاب خرید", [(3, 7)])
    rendered = io.StringIO()
    output.console(rendered, color=True).print(to_rich("او کتاب خرید", [(3, 7)]), markup=True, end="")
    assert rendered.getvalue() == stream.getvalue()


def test_marks_keep_the_text_as_it_is() -> None:
    text = f"کتاب{ZWNJ}ها & <دفتر>"
    assert marked(text, [(0, 7)]) == f"[[کتاب{ZWNJ}ها]] & <دفتر>"
    assert marked(text, [(11, 15)], "«", "»") == f"کتاب{ZWNJ}ها & <«دفتر»>"


def test_spans_are_drawn_in_text_order_and_an_overlapping_one_is_dropped() -> None:
    assert marked("کتاب و دفتر", [(7, 11), (0, 4), (2, 6)]) == "[[کتاب]] و [[دفتر]]"


@given(st.text(alphabet="کتاب دفر<>&[]\\\x1b", max_size=30), st.data())
def test_every_renderer_keeps_the_unmarked_text(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=4)))
    spans = list(zip(cuts[::2], cuts[1::2]))
    assert marked(text, spans, "", "") == text
    assert to_ansi(text, spans, "", "") == text.replace("\x1b", "")
