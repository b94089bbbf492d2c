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


def test_help_does_not_load_the_emoji_table() -> None:
    out = _run(
        "import sys\nfrom propctl.cli.main import main\nmain(['--help'])\n"
        "print(type(sys.modules['rich._emoji_codes']).__name__)"
    )
    assert out.strip().splitlines()[-1] == "_DeferredModule"


def test_emoji_codes_are_still_replaced_when_a_string_has_one() -> None:
    out = _run(
        "import propctl.cli, io, sys\nfrom rich.console import Console\n"
        "c = Console(file=io.StringIO(), width=60)\n"
        "c.print('a :thumbs_up: b :no_such_code: c http://h:80')\n"
        "from rich._emoji_codes import EMOJI\n"
        "print(c.file.getvalue().strip(), '|', 'smile' in EMOJI, len(EMOJI) > 1000,"
        " type(sys.modules['rich._emoji_codes']).__name__)"
    )
    assert out.strip() == "a \U0001f44d b :no_such_code: c http://h:80 | True True module"
