"""The HTML report in a real browser: Debian's chromium renders it headless, the screenshot is
not blank, the page logged nothing to the console, and the dark scheme really is dark. The
README's picture, docs/report.png, is taken from the real demo output by docs/screenshot.sh
(tested here on a report in a temporary folder), never from these fabricated histories."""

from __future__ import annotations

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
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.sh"
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


def test_the_screenshot_script_photographs_the_report_it_is_given(
    real_roadmap: Roadmap, tmp_path: Path
) -> None:
    _chromium()
    page, out = tmp_path / "report.html", tmp_path / "shots" / "report.png"
    page.write_text(report_html.render(build_report(real_roadmap, demo_history(real_roadmap))))
    done = subprocess.run(
        ["bash", str(SCRIPT), str(page), str(out), "1000x1600"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    image = read_png(out.read_bytes())
    assert (image.width, image.height) == (1000, 1600) and not_blank(image)


@pytest.mark.parametrize(
    "args,message",
    [(["missing.html"], "run `make demo` first"), (["{page}", "{out}", "big"], "WIDTHxHEIGHT")],
)
def test_the_screenshot_script_refuses_bad_input(
    tmp_path: Path, args: list[str], message: str
) -> None:
    page = tmp_path / "r.html"
    page.write_text("<p>x</p>")
    argv = [a.format(page=page, out=tmp_path / "o.png") for a in args]
    done = subprocess.run(
        ["bash", str(SCRIPT), *argv], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "o.png").exists()
