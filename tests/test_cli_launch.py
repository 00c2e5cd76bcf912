"""The command's entry point: Ctrl-C while the command line loads is one line and exit 130, which
needs ``import syndidetect`` to load nothing heavy (the package's names load on first use)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import syndidetect as sd
from syndidetect.config import Config

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# A finder that stops the import of one module, then runs the command as its entry point does.
_STOPPED_IMPORT = """
import sys, time

class Stop:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            {action}
        return None

sys.meta_path.insert(0, Stop())
from syndidetect.cli.launch import run
sys.argv = ["syndidetect", "scan", "-"]
sys.exit(run())
"""


def _child(module: str, action: str) -> subprocess.Popen[str]:
    code = _STOPPED_IMPORT.format(module=module, action=action)
    # SIGINT's default action, as a terminal gives it (see test_cli_output.test_ctrl_c_is_one_line_and_exit_130).
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, inherited)


def test_ctrl_c_while_the_command_line_loads_is_one_line_and_exit_130() -> None:
    # The child says when it is inside the import of numpy (which syndidetect.cli.main brings in), and
    # waits there: the real SIGINT lands in the middle of loading the command line.
    process = _child("numpy", "print('loading', flush=True); time.sleep(60)")
    assert process.stdout is not None
    assert process.stdout.readline() == "loading\n"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (130, "syndidetect: error: interrupted\n")


def test_an_interrupt_raised_by_the_import_itself_is_caught_too() -> None:
    process = _child("syndidetect.cli.main", "raise KeyboardInterrupt")
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (130, "syndidetect: error: interrupted\n")


def test_the_package_and_the_launcher_load_nothing_heavy() -> None:
    code = textwrap.dedent("""
        import sys
        import syndidetect, syndidetect.cli.launch
        heavy = sorted(m for m in ("numpy", "rich", "syndidetect.detector", "syndidetect.cli.main") if m in sys.modules)
        print(heavy)
        syndidetect.Detector  # a public name loads on first use
        print("syndidetect.detector" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "[]\nTrue\n"), result.stderr


def test_public_names_resolve_and_shingles_stays_the_function() -> None:
    import syndidetect.shingles  # noqa: F401  # binds the submodule to the package's attribute, which must not win

    assert callable(sd.shingles) and sd.shingles("Men fleeing Chechnya") == ["men fleeing chechnya"]
    assert sd.Config is Config
    assert set(sd.__all__) <= set(dir(sd))
    for name in sd.__all__:
        assert getattr(sd, name) is not None
    try:
        sd.not_a_name  # noqa: B018
    except AttributeError as exc:
        assert "not_a_name" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_the_installed_command_is_the_launcher() -> None:
    (command,) = [e for e in entry_points(group="console_scripts") if e.name == "syndidetect"]
    assert command.value == "syndidetect.cli.launch:run"


_BLAS_THREADS = """
import os, sys

class Stop:  # the launcher has set the environment when it imports the command line
    def find_spec(self, name, path=None, target=None):
        if name == "syndidetect.cli.main":
            print(os.environ.get("OPENBLAS_NUM_THREADS"), flush=True)
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Stop())
from syndidetect.cli.launch import run
sys.exit(run())
"""


def _blas_threads_seen(inherited: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if inherited is not None:
        env["OPENBLAS_NUM_THREADS"] = inherited
    result = subprocess.run([sys.executable, "-c", _BLAS_THREADS], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.returncode == 130, result.stderr
    return result.stdout


def test_the_command_loads_numpy_with_one_blas_thread_unless_told_otherwise() -> None:
    assert _blas_threads_seen(None) == "1\n"
    assert _blas_threads_seen("2") == "2\n"  # the user's choice stands


def test_a_one_shot_check_loads_neither_numpy_ma_nor_rich_progress(tmp_path: Path) -> None:
    # Both are tens of milliseconds of a one-shot `index check` that it never uses: numpy.ma comes
    # with np.unique called without options, rich.progress with a module-level import of the bars.
    db = tmp_path / "news.db"
    with sd.Detector.open(db) as det:
        det.add_many(sd.Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt")))
    code = textwrap.dedent(f"""
        import io, sys
        import syndidetect as sd
        from syndidetect.cli.common import write_report
        article = open({str(sorted(SEEDS.glob("*.txt"))[1])!r}, encoding="utf-8").read()
        with sd.Detector.open({str(db)!r}, readonly=True) as det:
            report = det.query([sd.Document("new", article)])
        sys.stdout = io.StringIO()
        write_report(report, "text")
        text, sys.stdout = sys.stdout.getvalue(), sys.__stdout__
        print(len(report.copies) > 0, "republishes" in text or "copy" in text,
              sorted(m for m in ("numpy.ma", "rich.progress") if m in sys.modules))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (0, "True True []\n"), result.stderr


def test_the_command_line_runs_with_the_collector_on_and_its_imports_frozen() -> None:
    code = textwrap.dedent("""
        import gc, sys
        from syndidetect.cli.launch import run
        sys.argv = ["syndidetect", "--version"]
        try:
            run()
        except SystemExit:
            pass
        print(gc.isenabled(), gc.get_freeze_count() > 10000, "numpy" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "True True True"), result.stderr


_EXIT = """
import atexit, sys
atexit.register(print, "teardown ran", file=sys.stderr)  # earlier handlers: the interpreter's own exit
from syndidetect.cli.launch import run
sys.argv = ["syndidetect", "scan", {seeds!r}, "--format", "json", "--fail-on-copy"]
sys.exit(run())
"""


def test_the_command_ends_without_the_interpreters_teardown_and_loses_no_output() -> None:
    # The command's exit code and all of its output arrive; what the interpreter would do after it
    # (exit handlers registered before the command, freeing every object) does not happen.
    result = subprocess.run([sys.executable, "-c", _EXIT.format(seeds=str(SEEDS))], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # --fail-on-copy: the seeds hold copies
    assert len(json.loads(result.stdout)["pairs"]) > 0
    assert "teardown ran" not in result.stderr
