"""`propctl --help` must not pay for rich.markdown, and the stand-in must behave when used."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_help_does_not_import_markdown_it() -> None:
    out = _run(
        "import sys\nfrom propctl.cli.main import main\nmain(['--help'])\n"
        "print('markdown_it' in sys.modules, 'pygments' in sys.modules,\n"
        "      type(sys.modules['rich.markdown']).__name__,\n"
        "      type(sys.modules['rich.traceback']).__name__)"
    )
    assert out.strip().splitlines()[-1] == "False False _DeferredModule _DeferredModule"


def test_the_stand_in_loads_the_real_module_on_use() -> None:
    out = _run(
        "import propctl.cli, io\nfrom rich.console import Console\n"
        "from rich.markdown import Markdown\nc = Console(file=io.StringIO(), width=40)\n"
        "c.print(Markdown('# Title'))\nimport rich.markdown as m\n"
        "print(c.file.getvalue().strip(), type(m).__name__, m.Heading.__name__)"
    )
    assert out.split() == ["Title", "module", "Heading"]


def test_the_traceback_stand_in_reaches_the_real_class() -> None:
    out = _run(
        "import propctl.cli, io\nfrom rich.traceback import Traceback\n"
        "from rich.console import Console\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError as exc:\n"
        "    tb = Traceback.from_exception(type(exc), exc, exc.__traceback__)\n"
        "c = Console(file=io.StringIO(), width=80)\nc.print(tb)\n"
        "print('ZeroDivisionError' in c.file.getvalue(), type(tb).__name__)"
    )
    assert out.split() == ["True", "Traceback"]
