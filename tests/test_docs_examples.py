"""The guide's code examples are the files they say they are, so the docs cannot drift from tested code.

Each example is "the python block following heading X" of a markdown page, compared with a source file
from its first import on (the file's docstring is for the file, not for the guide).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "connect-your-shop.md"


def python_block_after(markdown: str, heading: str) -> str:
    """The text of the first ```` ```python ```` block after the line ``heading`` (``"### By hand"``).

    The block must lie in the heading's own section: a heading of the same or a higher level before it
    is an error, as is a heading found twice or not at all. Lines inside code blocks are no headings.
    """
    level = len(heading) - len(heading.lstrip("#"))
    lines = markdown.splitlines(keepends=True)
    # Each line outside code blocks, by index; a fence line opens or closes a block.
    outside, fence = [], False
    for index, line in enumerate(lines):
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            outside.append(index)
    starts = [index for index in outside if lines[index].rstrip("\n") == heading]
    if len(starts) != 1:
        raise LookupError(f"{heading!r} is a heading {len(starts)} times, not once")
    index = starts[0] + 1
    while index < len(lines):
        line = lines[index]
        if index in outside and line.startswith("#") and len(line) - len(line.lstrip("#")) <= level:
            break  # the next section begins: the heading's own has no python block
        if line.startswith("```"):
            end = next((i for i in range(index + 1, len(lines)) if lines[i].startswith("```")), None)
            if end is None:
                raise LookupError(f"a code block after {heading!r} is never closed")
            if line == "```python\n":
                return "".join(lines[index + 1 : end])
            index = end  # another language's block: skip it
        index += 1
    raise LookupError(f"no python block in the section {heading!r}")


def from_first_import(source: str) -> str:
    """``source`` from the line of its first ``import`` / ``from … import`` statement to the end."""
    first = next(node.lineno for node in ast.parse(source).body if isinstance(node, ast.Import | ast.ImportFrom))
    return "".join(source.splitlines(keepends=True)[first - 1 :])


#: (page, heading, file): the python block after the heading is the file from its first import on.
EXAMPLES = [
    (GUIDE, "### By hand", ROOT / "tests" / "jsonshop" / "handwritten.py"),
    (GUIDE, "### All of it together", ROOT / "tests" / "jsonshop" / "source.py"),
]


@pytest.mark.parametrize(("page", "heading", "source"), EXAMPLES, ids=[source.name for _, _, source in EXAMPLES])
def test_the_example_after_the_heading_is_the_file_it_shows(page, heading, source):
    shown = python_block_after(page.read_text(encoding="utf-8"), heading)

    assert shown == from_first_import(source.read_text(encoding="utf-8"))


def test_the_example_finder_reads_only_the_headings_own_section():
    page = (
        "## A\n\n```sh\n# not a heading\n```\n\n```python\nfirst = 1\n```\n\n"
        "### A.1\n\n```python\nsecond = 2\n```\n\n## B\n\ntext\n\n## C\n\n```python\nthird = 3\n```\n"
    )

    assert python_block_after(page, "## A") == "first = 1\n"
    assert python_block_after(page, "### A.1") == "second = 2\n"
    assert python_block_after(page, "## C") == "third = 3\n"
    with pytest.raises(LookupError, match="no python block"):
        python_block_after(page, "## B")
    with pytest.raises(LookupError, match="0 times"):
        python_block_after(page, "## D")


def test_from_first_import_skips_the_docstring_even_where_a_line_starts_with_from():
    source = '"""A module.\n\nfrom its imports on.\n"""\n\nimport os\n\nx = os.sep\n'

    assert from_first_import(source) == "import os\n\nx = os.sep\n"
