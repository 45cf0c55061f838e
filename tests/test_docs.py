"""The docs stay true: the guide's worked example is the demo shop's adapter, verbatim; the tests the
consistency promises name exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_guides_worked_example_is_the_demo_shops_adapter():
    guide = (ROOT / "docs" / "connect-your-shop.md").read_text()
    adapter = (ROOT / "example_project" / "shop" / "connex.py").read_text()

    assert "```python\n" + adapter + "```" in guide


def test_every_test_docs_consistency_names_exists():
    text = (ROOT / "docs" / "consistency.md").read_text()
    named = re.findall(r"`((?:tests|fuzz)/[\w/]+\.py)::(\w+)`", text)

    assert len(named) >= 20
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (ROOT / path).is_file() or f"def {name}(" not in (ROOT / path).read_text()
    ]
    assert missing == []
