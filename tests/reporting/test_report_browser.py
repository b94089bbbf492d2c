"""The HTML report in a real browser: Debian's chromium renders it headless, the screenshot is
not blank, the page logged nothing to the console, and the dark scheme really is dark.
`PROPCTL_UPDATE_SCREENSHOT=1` saves the screenshot as docs/report.png (the README's picture)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pngread import Image, luminance_stats, read_png
from report_fixtures import demo_history

from propctl.reporting import report_html
from propctl.reporting.report_model import build_report
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.models import Roadmap

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parents[2] / "docs"
CONSOLE = re.compile(r":CONSOLE[:(]|Uncaught|ERROR:CONSOLE")


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:  # `make test` installs it (.ci/system-deps.sh); never pass without it
        pytest.fail("chromium is not installed: run `make system-deps`")
    return found


def screenshot(page: str, tmp: Path, *extra: str) -> tuple[Image, bytes, list[str]]:
    """Render `page` headless; the decoded screenshot, its bytes, and the console lines."""
    tmp.mkdir(parents=True, exist_ok=True)
    html, png = tmp / "page.html", tmp / "shot.png"
    html.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp / 'profile'}",
            f"--screenshot={png}",
            "--window-size=1280,2400",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert png.is_file(), f"chromium wrote no screenshot (exit {done.returncode}):\n{done.stderr}"
    data = png.read_bytes()
    return read_png(data), data, [line for line in done.stderr.splitlines() if CONSOLE.search(line)]


def not_blank(image: Image) -> bool:
    _, variance, distinct = luminance_stats(image)
    return variance > 50 and distinct > 20


@pytest.fixture(scope="module")
def real_roadmap() -> Roadmap:
    return load_roadmap(bundled_roadmap())


def test_report_renders_in_chromium(real_roadmap: Roadmap, tmp_path: Path) -> None:
    page = report_html.render(build_report(real_roadmap, demo_history(real_roadmap)))
    image, data, console = screenshot(page, tmp_path)
    assert console == []
    assert not_blank(image)
    assert (image.width, image.height) == (1280, 2400)
    if os.environ.get("PROPCTL_UPDATE_SCREENSHOT") == "1":
        DOCS.mkdir(exist_ok=True)
        (DOCS / "report.png").write_bytes(data)


def test_dark_scheme_is_dark(real_roadmap: Roadmap, tmp_path: Path) -> None:
    page = report_html.render(build_report(real_roadmap, demo_history(real_roadmap)))
    light, _, _ = screenshot(page, tmp_path / "light")
    dark, _, console = screenshot(
        page, tmp_path / "dark", "--force-dark-mode", "--blink-settings=preferredColorScheme=0"
    )
    assert console == []
    assert luminance_stats(light)[0] > 180 and luminance_stats(dark)[0] < 80
    assert not_blank(dark)


def test_empty_history_renders(roadmap: Roadmap, tmp_path: Path) -> None:
    page = report_html.render(build_report(roadmap, []))
    image, _, console = screenshot(page, tmp_path)
    assert console == [] and not_blank(image)


def test_the_checks_catch_a_blank_page_and_a_console_error(tmp_path: Path) -> None:
    blank, _, quiet = screenshot("<!doctype html><title>x</title>", tmp_path / "blank")
    assert not not_blank(blank) and quiet == []
    _, _, console = screenshot(
        "<!doctype html><script>console.error('boom'); nope()</script>", tmp_path / "broken"
    )
    assert any("boom" in line for line in console)
    assert any("Uncaught" in line for line in console)
