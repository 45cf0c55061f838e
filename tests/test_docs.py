"""The docs stay true: the guide's worked example is the demo shop's adapter, verbatim; the tests the
consistency promises name exist; every citation of the protocol points at a section of docs/protocol.md."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_guides_worked_example_is_the_demo_shops_adapter():
    guide = (ROOT / "docs" / "connect-your-shop.md").read_text()
    adapter = (ROOT / "example_project" / "shop" / "connex.py").read_text()

    assert "```python\n" + adapter + "```" in guide


def test_every_test_docs_consistency_names_exists():
    text = (ROOT / "docs" / "consistency.md").read_text()
    # The endpoint contract suite ships (connex_bridge/testing/contract.py): its tests are methods.
    named = re.findall(r"`((?:tests|fuzz|connex_bridge/testing)/[\w/]+\.py)::(\w+)`", text)

    assert len(named) >= 20
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (ROOT / path).is_file() or f"def {name}(" not in (ROOT / path).read_text()
    ]
    assert missing == []


#: Where the project cites the protocol: every tracked file under these paths.
CITING_PATHS = [
    "connex_bridge",
    "tests",
    "docs",
    "example_project",
    "bench",
    "fuzz",
    "browser",
    "README.md",
    "SECURITY.md",
    "CHANGELOG.md",
]

#: The team's internal notes on the protocol, by the names code once cited them with. Case-sensitive, so
#: that docs/protocol.md itself never matches; written so that this file does not match itself either.
INTERNAL_NOTES = re.compile(r"shared/+PROTOCOL|\bPROTOCOL(?:\.md|'s|\s*§)")

#: "docs/protocol.md §3", "protocol.md §3–§4", "protocol.md §1 and §7": every number must be a section.
CITATION = re.compile(r"protocol\.md (§\d+(?:\s*(?:[–-]|,|and)\s*§\d+)*)")

#: A link into docs/protocol.md, "[protocol §3](protocol.md#3-the-orders-query-string)" and the like.
LINK = re.compile(r"\[([^\]]*)\]\((?:\.\./|docs/)*protocol\.md#([^)\s]+)\)")


def tracked_files(paths: list[str]) -> list[Path]:
    """The files git tracks under ``paths`` (this test reads the checkout, not an installed copy)."""
    try:
        listing = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["git", "ls-files", "-z", "--", *paths],  # noqa: S607 - whichever git the developer runs
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in listing.split("\0") if name and (ROOT / name).is_file()]


def text_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:  # a binary file cites nothing
        return []


def protocol_sections() -> tuple[set[str], set[str]]:
    """The numbers of docs/protocol.md's ``## N.`` headings, and the anchors of all its headings."""
    text = re.sub(r"^```.*?^```", "", (ROOT / "docs" / "protocol.md").read_text(), flags=re.M | re.S)
    numbers = set(re.findall(r"^## (\d+)\. ", text, flags=re.M))
    # GitHub's anchors: lower case, punctuation dropped, blanks as hyphens.
    anchors = {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)
    }
    return numbers, anchors


def test_nothing_cites_the_teams_internal_protocol_notes():
    citing = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in tracked_files(CITING_PATHS)
        for number, line in enumerate(text_lines(path), start=1)
        if INTERNAL_NOTES.search(line)
    ]

    assert citing == []


def test_every_citation_of_docs_protocol_names_a_section_it_has():
    numbers, anchors = protocol_sections()
    assert {"1", "2", "3", "4", "5", "6"} <= numbers
    own_links = re.findall(r"\]\(#([^)\s]+)\)", (ROOT / "docs" / "protocol.md").read_text())
    problems = [f"docs/protocol.md: no heading for #{anchor}" for anchor in own_links if anchor not in anchors]
    cited = 0
    for path in tracked_files(CITING_PATHS):
        for number, line in enumerate(text_lines(path), start=1):
            where = f"{path.relative_to(ROOT)}:{number}"
            for sections in CITATION.findall(line):
                cited += 1
                problems += [
                    f"{where}: no section {n} for {sections}"
                    for n in re.findall(r"§(\d+)", sections)
                    if n not in numbers
                ]
            for text, anchor in LINK.findall(line):
                cited += 1
                named = re.findall(r"§(\d+)", text)
                if anchor not in anchors:
                    problems.append(f"{where}: no heading for #{anchor}")
                elif named and named[0] != anchor.split("-")[0]:
                    problems.append(f"{where}: [{text}] links to #{anchor}")

    assert cited >= 25
    assert problems == []


def package_text() -> str:
    return "\n".join(path.read_text() for path in (ROOT / "connex_bridge").rglob("*.py"))


def test_every_setting_has_a_row_in_the_readmes_settings_table():
    from connex_bridge.conf import DEFAULTS

    readme = (ROOT / "README.md").read_text()

    assert [key for key in DEFAULTS if f"| `{key}` |" not in readme] == []
    assert [key for key in DEFAULTS if readme.count(f"| `{key}` |") > 1] == []


def test_every_system_check_id_is_explained_in_docs_checks():
    ids = set(re.findall(r"connex_bridge\.[EW]\d{3}", package_text()))
    checks = (ROOT / "docs" / "checks.md").read_text()

    assert len(ids) >= 30
    assert sorted(check_id for check_id in ids if check_id not in checks) == []


def test_every_management_command_is_documented():
    folders = [
        ROOT / "connex_bridge" / "management" / "commands",
        ROOT / "example_project" / "demo" / "management" / "commands",
    ]
    commands = sorted(path.stem for folder in folders for path in folder.glob("*.py") if path.stem != "__init__")
    documented = (ROOT / "README.md").read_text() + (ROOT / "docs" / "commands.md").read_text()

    assert len(commands) >= 6
    assert [name for name in commands if f"{name} " not in documented and f"{name}`" not in documented] == []


def test_every_relative_link_in_the_readme_and_docs_points_at_a_file_that_exists():
    pages = [ROOT / "README.md", ROOT / "SECURITY.md", *(ROOT / "docs").glob("*.md")]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if "://" in target or target.startswith(("#", "mailto:")):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")

    assert broken == []
