"""documents.diff: comparing two versions of a page, block by block, word by word, mark by mark."""

from __future__ import annotations

import copy
import gzip
import json
import re
import time
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from documents.diff import PageDiff, diff_blocks
from documents.diff.tokens import count_words, tokens
from documents.rendering import Block, Node, TextRun, markdown_to_blocks

REPO = Path(__file__).resolve().parents[2]
# The project's data folder sits beside the repository (or beside the worktrees' folder).
TRACE = next(
    (
        path
        for path in (
            REPO.parent / "shared/data/editing-traces/automerge-paper.json.gz",
            REPO.parent.parent / "shared/data/editing-traces/automerge-paper.json.gz",
        )
        if path.exists()
    ),
    None,
)


def p(*children: Node | str) -> Block:
    return Block("paragraph", children=[TextRun(child) if isinstance(child, str) else child for child in children])


def b(text: str) -> TextRun:
    return TextRun(text, {"bold": {}})


def link(text: str, href: str) -> TextRun:
    return TextRun(text, {"link": {"href": href}})


def ops(diff: PageDiff) -> list[str]:
    return [change["op"] for change in diff.changes]


def inline(change: dict[str, Any]) -> list[tuple[str, str]]:
    return [(segment["op"], segment["text"]) for segment in change["inline"]]


def md(text: str) -> list[Block]:
    return markdown_to_blocks(text)


PARAGRAPHS = [
    "Alpha paragraph talks about the first topic at some length.",
    "Bravo paragraph continues with a second point worth making.",
    "Charlie paragraph brings a third idea into the discussion.",
    "Delta paragraph closes the argument with a conclusion.",
]


def paragraphs(*indexes: int) -> list[Block]:
    return [p(PARAGRAPHS[index]) for index in indexes]


# Identical and empty


def test_identical_documents_have_no_changes():
    """Two equal versions: no changes, zero counts, and the HTML still shows the page unfolded."""
    blocks = md("# Title\n\nSome *text*.\n\n- a\n- b\n\n" + "\n\n".join(PARAGRAPHS))
    diff = diff_blocks(blocks, copy.deepcopy(blocks))
    assert diff.changes == []
    assert diff.identical
    assert diff.summary.identical
    assert diff.summary.description == "No changes"
    html = diff.to_html()
    assert "<h1>Title</h1>" in html
    assert "<details" not in html
    assert "<ins" not in html
    assert "<del" not in html


def test_runs_split_differently_and_default_attrs_are_the_same_content():
    """Text runs cut at other places, and attrs with or without their defaults, compare equal."""
    old = [p("Hello ", "world"), Block("heading", {}, [TextRun("Top")]), p(link("x", "https://a.example"))]
    full_link = {"href": "https://a.example", "target": "_blank", "rel": "noopener noreferrer nofollow", "class": None}
    new = [p("Hello world"), Block("heading", {"level": 1}, [TextRun("Top")]), p(TextRun("x", {"link": full_link}))]
    assert diff_blocks(old, new).changes == []


def test_both_empty():
    """Two empty pages are identical; the HTML is empty."""
    diff = diff_blocks([], [])
    assert diff.changes == []
    assert diff.to_html() == ""
    assert diff.to_html("side_by_side") == ("", "")


def test_empty_to_content_inserts_every_block():
    """From an empty page, every block is an insertion and every word counts as added."""
    new = md("# Plan\n\nWrite the plan.\n\n- one\n- two")
    diff = diff_blocks([], new)
    assert ops(diff) == ["insert", "insert", "insert"]
    assert diff.changes[0] == {"op": "insert", "new": 0, "type": "heading", "text": "Plan"}
    assert diff.summary.words_added == 6
    assert diff.summary.description == "6 words added"
    html = diff.to_html()
    assert '<h1 class="diff-block-ins"' in html
    assert '<ins class="diff-ins">Write the plan.</ins>' in html


def test_content_to_empty_deletes_every_block():
    """To an empty page, every block is a deletion."""
    diff = diff_blocks(md("One two.\n\nThree."), [])
    assert ops(diff) == ["delete", "delete"]
    assert diff.summary.words_removed == 3
    assert diff.summary.description == "3 words removed"
    before, after = diff.to_html("side_by_side")
    assert before.count('class="diff-row"') == after.count('class="diff-row"') == 2
    assert after.count("diff-placeholder") == 2
    assert '<del class="diff-del">One two.</del>' in before


# Moves


def test_moved_paragraph_is_a_move_not_a_delete_and_insert():
    """A paragraph taken from the top and put at the end is one move, reported at both places."""
    diff = diff_blocks(paragraphs(0, 1, 2, 3), paragraphs(1, 2, 3, 0))
    assert "insert" not in ops(diff)
    assert "delete" not in ops(diff)
    source = next(change for change in diff.changes if change["op"] == "move_source")
    target = next(change for change in diff.changes if change["op"] == "move")
    assert source["old"] == target["old"] == 0
    assert source["new"] == target["new"] == 3
    assert target["direction"] == source["direction"] == "down"
    assert target["text"] == PARAGRAPHS[0]
    assert diff.summary.blocks_moved == 1
    assert diff.summary.words_added == diff.summary.words_removed == 0
    assert diff.summary.description == "1 block moved"
    html = diff.to_html()
    assert 'class="diff-block-moved"' in html
    assert 'class="diff-block-moved-away"' in html
    assert "Moved here from above" in html
    # The two places of the move point at each other.
    assert len(set(re.findall(r'data-move="(\d+)"', html))) == 1


def test_moved_up_paragraph():
    """A paragraph moved towards the top says it came from below."""
    diff = diff_blocks(paragraphs(0, 1, 2, 3), paragraphs(3, 0, 1, 2))
    target = next(change for change in diff.changes if change["op"] == "move")
    assert target["direction"] == "up"
    assert "Moved here from below" in diff.to_html()


def test_swapped_paragraphs():
    """Two paragraphs swapped: one of them moved, nothing added or removed."""
    diff = diff_blocks(paragraphs(0, 1), paragraphs(1, 0))
    assert sorted(ops(diff)) == ["equal", "move", "move_source"]


def test_moved_and_edited_paragraph_is_a_move_with_its_edits():
    """A paragraph moved elsewhere and slightly reworded is still a move, carrying its word changes."""
    edited = PARAGRAPHS[0].replace("first", "opening")
    diff = diff_blocks(paragraphs(0, 1, 2, 3), [*paragraphs(1, 2, 3), p(edited)])
    target = next(change for change in diff.changes if change["op"] == "move")
    assert ("delete", "first") in inline(target)
    assert ("insert", "opening") in inline(target)
    assert diff.summary.blocks_moved == 1
    assert diff.summary.words_added == diff.summary.words_removed == 1
    html = diff.to_html()
    assert '<p class="diff-block-moved"' in html
    assert '<del class="diff-del">first</del><ins class="diff-ins">opening</ins>' in html


def test_empty_paragraphs_are_not_reported_as_moved():
    """Blank lines shifting about are not moves worth showing."""
    diff = diff_blocks([p(), *paragraphs(0, 1)], [*paragraphs(0, 1), p()])
    assert "move" not in ops(diff)


# Text edits


def test_word_edits_inside_a_paragraph():
    """Replaced words read as one replacement, deletion first; kept words stay equal."""
    diff = diff_blocks([p("The quick brown fox jumps over the lazy dog.")], [p("The slow red fox jumps over the dog!")])
    (change,) = diff.changes
    assert change["op"] == "change"
    assert inline(change) == [
        ("equal", "The "),
        ("delete", "quick brown"),
        ("insert", "slow red"),
        ("equal", " fox jumps over the "),
        ("delete", "lazy "),
        ("equal", "dog"),
        ("delete", "."),
        ("insert", "!"),
    ]
    assert diff.summary.words_added == 2
    assert diff.summary.words_removed == 3
    assert diff.summary.blocks_changed == 1
    assert diff.summary.description == "2 words added, 3 removed"
    assert diff.to_html() == (
        '<p data-change="0">The <del class="diff-del">quick brown</del><ins class="diff-ins">slow red</ins>'
        ' fox jumps over the <del class="diff-del">lazy </del>dog<del class="diff-del">.</del>'
        '<ins class="diff-ins">!</ins></p>'
    )


def test_a_word_changed_in_a_long_paragraph_is_just_that_word():
    """A paragraph of hundreds of words (SequenceMatcher's autojunk would blur it) shows only the edit."""
    words = " ".join(f"the word{index % 7} and" for index in range(300))
    edited = words.replace("word3", "WORD", 1)
    (change,) = diff_blocks([p(words)], [p(edited)]).changes
    assert [segment for segment in inline(change) if segment[0] != "equal"] == [("delete", "word3"), ("insert", "WORD")]


def test_side_by_side_shows_deletions_before_and_insertions_after():
    """Side by side: the old text with its deletions, the new with its insertions, in rows that line up."""
    diff = diff_blocks([p("Keep this. Old words here."), p("Gone entirely.")], [p("Keep this. New words here.")])
    before, after = diff.to_html("side_by_side")
    assert before.count('<div class="diff-row"') == after.count('<div class="diff-row"')
    assert '<del class="diff-del">Old</del>' in before
    assert "<ins" not in before
    assert '<ins class="diff-ins">New</ins>' in after
    assert "<del" not in after
    assert "Gone entirely." in before
    assert "Gone entirely." not in after


def test_hard_break_is_a_newline():
    """A hard break added inside a paragraph is an inserted newline, shown as <br>."""
    diff = diff_blocks([p("line one line two")], [p("line one", Block("hardBreak"), "line two")])
    (change,) = diff.changes
    assert ("insert", "\n") in inline(change) or any("\n" in text for op, text in inline(change) if op == "insert")
    assert "<br>" in diff.to_html()


def test_code_block_edits_keep_newlines_and_report_language():
    """Code: line edits stay inside <pre><code>, a language change is a formatting change."""
    old = [Block("codeBlock", {"language": "python"}, [TextRun("x = 1\nprint(x)\n")])]
    new = [Block("codeBlock", {"language": "javascript"}, [TextRun("x = 2\nprint(x)\n")])]
    diff = diff_blocks(old, new)
    (change,) = diff.changes
    assert change["format"] == [
        {"attr": "language", "from": "python", "to": "javascript", "label": "Code language python → javascript"}
    ]
    html = diff.to_html()
    assert html.startswith('<pre class="diff-block-format"')
    code = '<code class="language-javascript">x = <del class="diff-del">1</del><ins class="diff-ins">2</ins>\nprint'
    assert code in html


# Formatting only


def test_bold_added_is_a_formatting_change():
    """Same words, now bold: a "format" segment, not a deletion and insertion."""
    diff = diff_blocks([p("Make this important now")], [p("Make this ", b("important"), " now")])
    (change,) = diff.changes
    assert change["inline"] == [
        {"op": "equal", "text": "Make this "},
        {
            "op": "format",
            "text": "important",
            "marks": {"bold": {}},
            "changes": [{"mark": "bold", "change": "added"}],
            "label": "bold added",
        },
        {"op": "equal", "text": " now"},
    ]
    assert diff.summary.formatting_changes == 1
    assert diff.summary.words_added == diff.summary.words_removed == 0
    assert diff.summary.description == "1 formatting change"
    assert '<span class="diff-format" title="bold added"><strong>important</strong></span>' in diff.to_html()
    before, after = diff.to_html("side_by_side")
    assert '<span class="diff-format" title="bold added">important</span>' in before
    assert "<strong>important</strong>" in after


def test_italic_removed_and_bold_added_on_the_same_words():
    """Several mark changes on one stretch are listed together."""
    old = [p(TextRun("both", {"italic": {}}))]
    new = [p(TextRun("both", {"bold": {}}))]
    (segment,) = diff_blocks(old, new).changes[0]["inline"]
    assert segment["label"] == "bold added, italic removed"


def test_link_changed_reports_old_and_new_href():
    """A link pointing elsewhere is a formatting change with both addresses."""
    diff = diff_blocks(
        [p("See ", link("the docs", "https://old.example"))], [p("See ", link("the docs", "https://new.example"))]
    )
    segment = diff.changes[0]["inline"][1]
    assert segment["op"] == "format"
    (mark_change,) = segment["changes"]
    assert mark_change["mark"] == "link"
    assert mark_change["change"] == "changed"
    assert mark_change["from"]["href"] == "https://old.example"
    assert mark_change["to"]["href"] == "https://new.example"
    assert segment["label"] == "link changed to https://new.example"
    assert 'href="https://new.example"' in diff.to_html()


def test_heading_level_change_is_a_formatting_change():
    """H2 to H3: the block's own formatting changed; its text is equal."""
    diff = diff_blocks(md("## Results"), md("### Results"))
    (change,) = diff.changes
    assert change["format"] == [{"attr": "level", "from": 2, "to": 3, "label": "Heading 2 → Heading 3"}]
    assert change["inline"] == [{"op": "equal", "text": "Results"}]
    assert diff.summary.description == "1 formatting change"
    assert diff.to_html() == (
        '<h3 class="diff-block-format" data-diff-label="Heading 2 → Heading 3" title="Heading 2 → Heading 3"'
        ' data-change="0">Results</h3>'
    )


def test_paragraph_turned_into_heading():
    """A paragraph made a heading (and edited) is one block changed, not one deleted and one inserted."""
    diff = diff_blocks([p("Next steps"), *paragraphs(0)], [*md("# Next steps today"), *paragraphs(0)])
    change = diff.changes[0]
    assert change["op"] == "change"
    assert change["format"][0]["label"] == "Paragraph → Heading 1"
    assert ("insert", " today") in inline(change)


# Tables


TABLE = "| Name | Role |\n|---|---|\n| Ada | Engineer |\n| Grace | Admiral |\n"


def test_table_cell_edit_is_compared_row_by_row_and_cell_by_cell():
    """One cell edited: the table changed, one row changed, one cell changed, its words diffed."""
    diff = diff_blocks(md(TABLE), md(TABLE.replace("Engineer", "Mathematician")))
    (table,) = diff.changes
    assert table["type"] == "table"
    rows = table["children"]
    assert [row["op"] for row in rows] == ["equal", "change", "equal"]
    cells = rows[1]["children"]
    assert [cell["op"] for cell in cells] == ["equal", "change"]
    (paragraph,) = cells[1]["children"]
    assert inline(paragraph) == [("delete", "Engineer"), ("insert", "Mathematician")]
    html = diff.to_html()
    assert html.startswith('<table data-change="0"')
    cell = '<p><del class="diff-del">Engineer</del><ins class="diff-ins">Mathematician</ins></p></td>'
    assert f'<td colspan="1" rowspan="1">{cell}' in html


def test_table_row_added():
    """A new row is an inserted row inside the changed table; the other rows are unchanged."""
    diff = diff_blocks(md(TABLE), md(TABLE + "| Linus | Kernel |\n"))
    rows = diff.changes[0]["children"]
    assert [row["op"] for row in rows] == ["equal", "insert"]
    assert rows[1] == {"op": "insert", "new": 3, "type": "tableRow", "text": "Linus\n\nKernel"}
    assert diff.summary.words_added == 2
    before, after = diff.to_html("side_by_side")
    assert '<tr class="diff-block-ins"' in after
    assert "Linus" not in before


def test_table_column_added_changes_each_row_by_one_cell():
    """A column added: every row changed by one inserted cell, no noise about column widths."""
    wider = "| Name | Role | Year |\n|---|---|---|\n| Ada | Engineer | 1843 |\n| Grace | Admiral | 1952 |\n"
    diff = diff_blocks(md(TABLE), md(wider))
    table = diff.changes[0]
    assert "format" not in table
    for row in table["children"]:
        assert [cell["op"] for cell in row["children"]] == ["equal", "insert"]


def test_column_resized_is_one_formatting_change():
    """Dragging a column wider changes every cell's colwidth; the diff says it once, at the table."""

    def table(width: int) -> list[Node]:
        cell = {"colwidth": [width]}
        rows = [
            Block("tableRow", children=[Block("tableCell", cell, [p(text)]), Block("tableCell", {}, [p("x")])])
            for text in ("a", "b")
        ]
        return [Block("table", children=rows)]

    diff = diff_blocks(table(100), table(180))
    assert diff.changes[0]["format"][0]["label"] == "Column widths changed"
    assert diff.summary.formatting_changes == 1


# Lists


LIST = "- Apples\n- Bananas\n- Cherries\n- Dates\n"


def test_list_item_added_and_removed():
    """Lists are compared item by item."""
    diff = diff_blocks(md(LIST), md("- Apples\n- Cherries\n- Dates\n- Elderberries\n"))
    items = diff.changes[0]["children"]
    assert [item["op"] for item in items] == ["equal", "delete", "equal", "insert"]
    assert items[1]["text"] == "Bananas"
    assert items[3]["text"] == "Elderberries"
    html = diff.to_html()
    deleted = '<li class="diff-block-del" data-diff-label="Deleted" title="Deleted">'
    assert f'{deleted}<p><del class="diff-del">Bananas</del></p></li>' in html
    assert '<li class="diff-block-ins"' in html


def test_list_items_reordered_are_moves():
    """An item moved within its list is a move inside the list."""
    diff = diff_blocks(
        md("- first item here\n- second item here\n- third item here\n"),
        md("- third item here\n- first item here\n- second item here\n"),
    )
    items = diff.changes[0]["children"]
    assert sorted(item["op"] for item in items) == ["equal", "move", "move_source"]
    assert diff.summary.blocks_moved == 1


def test_list_item_edited():
    """A reworded item is changed in place, words diffed."""
    diff = diff_blocks(md(LIST), md(LIST.replace("Bananas", "Blueberries")))
    items = diff.changes[0]["children"]
    assert items[1]["op"] == "change"
    (paragraph,) = items[1]["children"]
    assert inline(paragraph) == [("delete", "Bananas"), ("insert", "Blueberries")]


def test_list_kind_changed_is_said_once():
    """A bulleted list turned into a numbered one: one formatting change at the list."""
    diff = diff_blocks(md(LIST), md("1. Apples\n2. Bananas\n3. Cherries\n4. Dates\n"))
    (change,) = diff.changes
    assert change["format"][0]["label"] == "Bulleted list → Numbered list"
    assert diff.summary.formatting_changes == 1


def test_bullets_to_checklist_does_not_repeat_for_each_item():
    """Turning a list into a checklist changes each item's type; only the list reports it."""
    diff = diff_blocks(md(LIST), md("- [ ] Apples\n- [ ] Bananas\n- [ ] Cherries\n- [ ] Dates\n"))
    assert diff.summary.formatting_changes == 1
    assert diff.changes[0]["format"][0]["label"] == "Bulleted list → Checklist"


def test_task_checked():
    """Ticking a checklist item is a formatting change of that item."""
    diff = diff_blocks(md("- [ ] Ship it\n- [ ] Celebrate\n"), md("- [x] Ship it\n- [ ] Celebrate\n"))
    item = diff.changes[0]["children"][0]
    assert item["format"] == [{"attr": "checked", "from": False, "to": True, "label": "Checked"}]
    assert diff.summary.description == "1 formatting change"


def test_nested_list_item_added():
    """An item added to a nested list is found inside its parent item."""
    diff = diff_blocks(md("- Fruit\n  - Apple\n- Veg\n"), md("- Fruit\n  - Apple\n  - Pear\n- Veg\n"))
    fruit = diff.changes[0]["children"][0]
    assert fruit["op"] == "change"
    nested = fruit["children"][1]
    assert [item["op"] for item in nested["children"]] == ["equal", "insert"]


# Non-ASCII and escaping


def test_unspaced_scripts_are_diffed_by_character():
    """In Chinese or Japanese, which have no spaces, each character is a word."""
    diff = diff_blocks([p("我们明天开会")], [p("我们后天开会")])
    assert inline(diff.changes[0]) == [("equal", "我们"), ("delete", "明"), ("insert", "后"), ("equal", "天开会")]
    assert diff.summary.words_added == 1


def test_accents_emoji_and_right_to_left_text():
    """Accented words, emoji with modifiers and Hebrew compare as whole words."""
    diff = diff_blocks([p("Café naïve 👍🏽 שלום עולם")], [p("Café naïf 👍🏿 שלום לכולם")])
    changed = [segment for segment in inline(diff.changes[0]) if segment[0] != "equal"]
    assert changed == [
        ("delete", "naïve 👍🏽"),
        ("insert", "naïf 👍🏿"),
        ("delete", "עולם"),
        ("insert", "לכולם"),
    ]


def test_tokens_give_the_text_back():
    """Cutting text into tokens loses nothing."""
    for text in ["Hello, world!", "don't stop", "3.14 and 1,000", "中文 abc中文", "👨‍👩‍👧 🇫🇷", "a\nb\tc"]:
        assert "".join(tokens(text)) == text
    assert count_words("don't stop at 3.14") == 4


def test_html_is_escaped_and_unsafe_links_emptied():
    """Text that looks like markup is escaped; a javascript: link loses its href, as on the page."""
    old = [p("Safe")]
    new = [p("<script>alert(1)</script> & ", link("click", "javascript:alert(1)"))]
    diff = diff_blocks(old, new)
    html = diff.to_html()
    _, after = diff.to_html("side_by_side")
    for rendered in (html, after):
        assert "<script>" not in rendered
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in rendered
        assert "javascript:" not in rendered
    labels = diff_blocks([p(link("x", "https://a.example"))], [p(link("x", 'https://b.example/"><b>'))]).to_html()
    assert '"><b>' not in labels
    assert "&quot;&gt;&lt;b&gt;" in labels


# Folding, JSON and speed


def test_long_unchanged_runs_are_folded_with_context():
    """Far from any change, unchanged blocks fold into a <details> saying how many; context stays."""
    old = [p(f"Paragraph number {index} of the page.") for index in range(30)]
    new = copy.deepcopy(old)
    new[15] = p("Paragraph number 15 of the page, edited.")
    diff = diff_blocks(old, new)
    html = diff.to_html()
    assert html.count("<details") == 2
    assert "13 paragraphs unchanged" in html
    assert "12 paragraphs unchanged" in html
    assert "Paragraph number 13 of" in html.split("<details")[1].split("</details>")[1]  # context kept outside
    assert diff.to_html(context=None).count("<details") == 0
    before, after = diff.to_html("side_by_side")
    assert before.count('class="diff-row"') == after.count('class="diff-row"') == 5
    assert diff.changes[0] == {"op": "equal", "old": 0, "new": 0, "count": 15}


def test_to_json_has_exactly_the_api_fields_and_is_json():
    """PageDiff.to_json() is what the REST API returns: summary, changes, html, side_by_side."""
    diff = diff_blocks(md(LIST + "\n" + TABLE), md(LIST.replace("Dates", "Figs") + "\n" + TABLE + "| New | Row |\n"))
    data = json.loads(json.dumps(diff.to_json()))
    assert set(data) == {"summary", "changes", "html", "side_by_side"}
    assert set(data["side_by_side"]) == {"before", "after"}
    assert data["summary"] == {
        "words_added": 3,
        "words_removed": 1,
        "blocks_added": 1,
        "blocks_removed": 0,
        "blocks_changed": 1,
        "blocks_moved": 0,
        "formatting_changes": 0,
        "description": "3 words added, 1 removed",
    }


def test_a_100_kb_page_diffs_well_under_a_second():
    """Two versions of a 100 KB page (a real paper's text) with edits, a move, a deletion and an insertion."""
    if TRACE is not None:
        text = json.loads(gzip.decompress(TRACE.read_bytes()))["endContent"]
    else:  # the same size of made-up prose
        vocabulary = ("the", "a", "of", "to", "and", "in", "for", "with", "on", "data", "page", "edit", "text")
        sentences = (" ".join(vocabulary[(i * 7 + j * 3) % len(vocabulary)] for j in range(60)) for i in range(420))
        text = "\n\n".join(f"Paragraph {index}: {sentence}." for index, sentence in enumerate(sentences))
    assert len(text) > 100_000
    old = markdown_to_blocks(text)
    new = copy.deepcopy(old)
    for index in range(5, len(new), 25):
        run = new[index].children[0]
        assert isinstance(run, TextRun)
        run.text = run.text.replace(" the ", " THE ", 1)
    new.insert(120, new.pop(40))
    del new[200]
    new.insert(10, p("A brand new paragraph."))
    started = time.perf_counter()
    diff = diff_blocks(old, new)
    data = diff.to_json()
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, elapsed
    assert diff.summary.blocks_moved == 1
    assert diff.summary.blocks_removed == 1
    assert diff.summary.blocks_added == 1
    assert sum(1 for change in data["changes"] if change["op"] == "change") >= 5


def test_many_empty_paragraphs_still_anchor_the_alignment():
    """Hundreds of blank paragraphs (junk to SequenceMatcher's autojunk) do not blur a one-word edit."""
    old: list[Node] = []
    for index in range(300):
        old += [p(f"Line {index}"), p()]
    new = copy.deepcopy(old)
    new[301] = p("Line one-fifty")
    diff = diff_blocks(old, new)
    assert [change["op"] for change in diff.changes] == ["equal", "change", "equal"]


def test_context_keeps_the_heading_a_change_sits_under():
    """Folding stops at the heading just above a change's context, so the reader sees which section changed."""
    section = [Block("heading", {"level": 2}, [TextRun("Risks")])]
    body = [p(f"Risk paragraph {index} stays the same.") for index in range(4)]
    old = [*paragraphs(0, 1, 2, 3), *section, *body, p("Last words.")]
    new = copy.deepcopy(old)
    new[-1] = p("Last words, edited.")
    html = diff_blocks(old, new).to_html()
    folded, shown = html.split("</details>")
    assert "<h2>Risks</h2>" in shown
    assert "4 paragraphs unchanged" in folded


def test_side_by_side_move_with_edits_shows_each_side():
    """A block moved and edited: the old place in "before", the new place with its edits in "after"."""
    edited = PARAGRAPHS[0].replace("first", "opening")
    before, after = diff_blocks(paragraphs(0, 1, 2, 3), [*paragraphs(1, 2, 3), p(edited)]).to_html("side_by_side")
    assert 'class="diff-block-moved-away"' in before
    assert "Moved down from here" in before
    assert '<p class="diff-block-moved"' in after
    assert '<ins class="diff-ins">opening</ins>' in after
    assert "<ins" not in before
    assert before.count('class="diff-row"') == after.count('class="diff-row"')


# Properties over generated documents

_WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "ünï", "中文", "x", " ", ", ", ".", "  "])
_MARKS = st.sampled_from([{}, {"bold": {}}, {"italic": {}}, {"link": {"href": "https://a.example"}}, {"code": {}}])


@st.composite
def _paragraphs(draw: Any) -> Block:
    runs = draw(st.lists(st.tuples(st.lists(_WORDS, min_size=1, max_size=6), _MARKS), max_size=4))
    children: list[Node] = [TextRun("".join(words), marks) for words, marks in runs]
    if draw(st.booleans()) and children:
        children.insert(draw(st.integers(0, len(children))), Block("hardBreak"))
    kind = draw(st.sampled_from(["paragraph", "paragraph", "heading"]))
    return Block(kind, {"level": draw(st.integers(1, 3))} if kind == "heading" else {}, children)


def _documents() -> st.SearchStrategy[list[Node]]:
    item = st.builds(lambda block: Block("listItem", children=[block]), _paragraphs())
    lists = st.builds(lambda items: Block("bulletList", children=items), st.lists(item, min_size=1, max_size=3))
    return st.lists(st.one_of(_paragraphs(), lists), max_size=8)


def _inline_sides(changes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(old text, new text) of every textblock changed in place, rebuilt from its segments."""
    sides = []
    for change in changes:
        if "inline" in change:
            old = "".join(s["text"] for s in change["inline"] if s["op"] in ("equal", "delete", "format"))
            new = "".join(s["text"] for s in change["inline"] if s["op"] in ("equal", "insert", "format"))
            sides.append((old, new))
        sides.extend(_inline_sides(change.get("children", [])))
    return sides


@settings(max_examples=100, deadline=None)
@given(_documents(), _documents())
def test_any_two_documents_diff_consistently(old, new):
    """For any two documents: JSON-able output, rows that line up, and segments that rebuild both texts."""
    diff = diff_blocks(old, new)
    data = json.loads(json.dumps(diff.to_json()))
    before, after = diff.to_html("side_by_side")
    assert before.count('<div class="diff-row"') == after.count('<div class="diff-row"')
    assert all(value >= 0 for key, value in data["summary"].items() if key != "description")
    if not diff.identical:  # every new block is accounted for once
        top = [change for change in diff.changes if change["op"] != "move_source"]
        assert sum(change.get("count", 1) for change in top if "new" in change) == len(new)
    old_texts = {plain(node) for node in _textblocks(old)}
    new_texts = {plain(node) for node in _textblocks(new)}
    for old_text, new_text in _inline_sides(diff.changes):
        assert old_text in old_texts
        assert new_text in new_texts
    assert diff_blocks(old, copy.deepcopy(old)).changes == []


def _textblocks(nodes: list[Node]) -> list[Block]:
    found = []
    for node in nodes:
        if isinstance(node, Block) and node.type in ("paragraph", "heading"):
            found.append(node)
        elif isinstance(node, Block):
            found.extend(_textblocks(node.children))
    return found


def plain(block: Block) -> str:
    return "".join("\n" if isinstance(child, Block) else child.text for child in block.children)
