"""The optional compiled build (setup.py, resolver/compiled.py): opt-in, never in an editable install,
all modules or none, and a failed compile falls back to the pure-Python package."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest
from setuptools import Distribution, Extension

from resolver.compiled import COMPILED_MODULES, build_label, compiled_modules

ROOT = Path(__file__).resolve().parent.parent
SETUP = runpy.run_path(str(ROOT / "setup.py"))  # not as __main__: defines the hooks, runs no setup()


def test_the_compiled_modules_exist_and_resolve_py_is_not_one() -> None:
    for name in COMPILED_MODULES:
        assert importlib.util.find_spec(name) is not None, name
    # resolver.resolve checks what callers pass; a compiled signature would raise TypeError first
    assert "resolver.resolve" not in COMPILED_MODULES


def test_the_build_label_names_the_build() -> None:
    label = build_label()
    if compiled_modules():
        assert label.startswith("compiled (mypyc, ")
    else:
        assert label == "pure Python"


def test_nothing_is_compiled_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESOLVER_COMPILE", raising=False)
    monkeypatch.setattr(sys, "argv", ["setup.py", "bdist_wheel"])
    assert SETUP["extensions"]() == []


@pytest.mark.parametrize("command", ["editable_wheel", "develop", "dist_info", "egg_info", "sdist"])
def test_an_editable_install_or_metadata_never_compiles(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.setenv("RESOLVER_COMPILE", "1")
    monkeypatch.setattr(sys, "argv", ["setup.py", command])
    assert SETUP["extensions"]() == []


def _build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: dict[str, str], **options: object) -> Any:
    """Run setup.py's ``OptionalBuildExt`` for real on small C extensions (name -> C source) in
    ``tmp_path``, with these command options; the command, once run."""
    monkeypatch.chdir(tmp_path)
    for name, text in sources.items():
        (tmp_path / f"{name}.c").write_text(text)
    dist = Distribution({"name": "probe", "ext_modules": [Extension(name, [f"{name}.c"]) for name in sources]})
    command = SETUP["OptionalBuildExt"](dist)
    for option, value in options.items():
        setattr(command, option, value)
    command.ensure_finalized()
    command.run()
    return command


#: an extension module that compiles
GOOD_C = ("#include <Python.h>\n"
          "static struct PyModuleDef m = {PyModuleDef_HEAD_INIT, \"good\"};\n"
          "PyMODINIT_FUNC PyInit_good(void) { return PyModule_Create(&m); }\n")


def test_a_failed_compile_falls_back_to_pure_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """One extension that compiles and one that does not: neither is kept, and the build goes on."""
    command = _build(tmp_path, monkeypatch, {"good": GOOD_C, "bad": "this is not C\n"}, inplace=True)
    assert command.extensions == []
    assert not list(tmp_path.glob("*.so")) and not list(tmp_path.glob("*.pyd"))
    assert "installing the pure-Python package" in capsys.readouterr().err


def test_a_build_directory_keeps_no_extension_of_an_earlier_build(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """pip builds in place: build/ holds the last build's extensions; a module no longer compiled
    (the list changed) must not be packaged beside the new ones."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    lib = tmp_path / "build" / "lib"
    stale = lib / "pkg" / f"dropped{suffix}"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an extension of the earlier build")
    (lib / "pkg" / "kept.py").write_text("# a source file is not an extension\n")
    _build(tmp_path, monkeypatch, {"good": GOOD_C}, build_lib=str(lib), build_temp=str(tmp_path / "build" / "temp"))
    assert not stale.exists()
    assert (lib / "pkg" / "kept.py").exists()
    assert [p.name for p in lib.glob(f"*{suffix}")] == [f"good{suffix}"]
