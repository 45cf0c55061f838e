"""The docs stay true: the guide's worked example is the demo shop's adapter, verbatim."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_guides_worked_example_is_the_demo_shops_adapter():
    guide = (ROOT / "docs" / "connect-your-shop.md").read_text()
    adapter = (ROOT / "example_project" / "shop" / "connex.py").read_text()

    assert "```python\n" + adapter + "```" in guide
