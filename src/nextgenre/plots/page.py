"""The HTML page of `dvc plots show` and `dvc plots diff`, with the Vega libraries inline, so that
the interactive plots render with no network (DVC's own page loads them from a CDN).

The libraries are vega 5, vega-lite 5 and vega-embed 6 (the major versions of DVC's templates) as
shipped by the PyPI package django-js-lib-vega-embed; only its static files are read (Django is
not needed). `.dvc/config` names the page (`plots.html_template`), which is committed at
.dvc/plots/page.html; `python -m nextgenre.plots.page` writes it again after a change of that
package's pin (tests/test_plots_page.py checks that it is up to date).
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
from pathlib import Path

PACKAGE = "django-js-lib-vega-embed"
LIBRARIES = ("vega5.js", "vega-lite5.js", "vega-embed6.js")  # in load order
PAGE = Path(".dvc/plots/page.html")  # from the repository root; .dvc/config names it

# {refresh_tag} and {plot_divs} are DVC's placeholders. DVC's {scripts} (the CDN tags) is left
# out on purpose; {source} and {libraries} are filled here.
TEMPLATE = """<!DOCTYPE html>
<html>
<head>
    <meta charset="utf-8">
    {refresh_tag}
    <title>nextgenre: DVC plots</title>
    <!-- {source} -->
{libraries}
    <style>
        body { font-family: sans-serif; }
        table { border-spacing: 15px; }
        /* DVC's image boxes (dvc-render's inline styles: no wrapping, overflow hidden) clip an
           image wider than the window and push a diff's second revision off screen: here an
           image shrinks to its box, and revisions wrap onto the next line. */
        div[style*="nowrap"] { white-space: normal !important; }
        div[style*="inline-block"] { max-width: calc(100% - 16px); box-sizing: border-box; vertical-align: top; }
        div[style*="inline-block"] img { max-width: 100%; height: auto; }
        .vega-embed { max-width: 100%; overflow-x: auto; }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>
"""


def library_scripts() -> str:
    """The three libraries, each in an inline <script> element."""
    folder = importlib.resources.files("js_lib_vega_embed") / "static" / "js_lib_vega_embed"
    return "\n".join(f"<script>\n{(folder / name).read_text(encoding='utf-8')}\n</script>" for name in LIBRARIES)


def page_html() -> str:
    version = importlib.metadata.version(PACKAGE)
    source = f"vega, vega-lite and vega-embed inline, from the PyPI package {PACKAGE} {version}"
    return TEMPLATE.replace("{source}", source).replace("{libraries}", library_scripts())


def main() -> None:
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(page_html(), encoding="utf-8")
    print(f"wrote {PAGE} ({PAGE.stat().st_size // 1024} KiB): `dvc plots show` works offline")


if __name__ == "__main__":
    main()
