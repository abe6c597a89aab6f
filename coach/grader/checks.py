"""The library of named, parameterised checks that lesson files refer to by name.

A check is a function `(evidence, **params) -> Verdict`, registered with `@check(...)`
and a parameter schema, so `coach lint` can reject unknown names and bad parameters
before a learner ever runs the exercise. Instructors add checks without touching the
package: any `*.py` file in a lessons folder is imported as a check module.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.curriculum.model import LocatedError, display_path
from coach.curriculum.schema import Field

if TYPE_CHECKING:
    from coach.grader.evidence import RunEvidence


@dataclass(frozen=True)
class Verdict:
    passed: bool
    evidence: str
    """Plain words drawn from the run, e.g. 'request 4 came 0.3 s after a 429 that said retry-after: 2'."""


CheckFunction = Callable[..., Verdict]


@dataclass(frozen=True)
class Check:
    name: str
    function: CheckFunction
    params: dict[str, Field] = field(default_factory=dict)
    summary: str = ""
    seeds: int = 1
    """How many runs, each with its own seed, the check judges: 2 for a property such as jitter
    that only shows as a difference between runs (the grader then runs the program twice)."""

    def __call__(self, evidence: RunEvidence, params: Mapping[str, Any]) -> Verdict:
        return self.function(evidence, **params)

    def failure(self, exc: Exception) -> str:
        """What a learner and an instructor read when this check raised: where in the check module, and what."""
        file = self.function.__code__.co_filename
        line = next((n for frame, n in reversed(list(traceback.walk_tb(exc.__traceback__)))
                     if frame.f_code.co_filename == file), self.function.__code__.co_firstlineno)
        return f"the check itself failed at {display_path(Path(file))}:{line}: {type(exc).__name__}: {exc}"


USER_MODULE_PREFIX = "coach_user_checks_"
"""Module names of instructors' check files, kept apart from the bundled library's."""
_REGISTRY: dict[str, Check] = {}
_loaded_dirs: set[Path] = set()
_builtin_loaded = False


class CheckModuleError(Exception):
    """An instructor's check module failed to import."""


def check(name: str, *, seeds: int = 1, **params: Field) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under `name`; `params` describe the keyword arguments it takes.

    `seeds=2` asks for a second run of the program with another seed: the check finds it in
    `evidence.reruns`.
    """

    def register(function: CheckFunction) -> CheckFunction:
        doc = (function.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = Check(name, function, dict(params), doc[0] if doc else "", seeds)
        return function

    return register


def _load_builtin() -> None:
    global _builtin_loaded
    if not _builtin_loaded:
        _builtin_loaded = True
        import coach.grader.library  # noqa: F401  (registers the bundled checks)


@dataclass(frozen=True)
class CheckModuleFailure:
    """A check module that did not import: where, why, and the check names its text mentions."""

    error: LocatedError
    names: frozenset[str]
    """Names in `@check("...")` calls of its source: checks it would have defined, not unknown ones."""


_failures: dict[Path, list[CheckModuleFailure]] = {}
_CHECK_NAME = re.compile(r"""check\(\s*["']([^"'\s]+)["']""")


def load_check_modules(folders: Iterable[Path]) -> list[LocatedError]:
    """Import instructors' `*.py` check modules from lesson folders (once each); return their import errors."""
    errors = []
    for folder in folders:
        folder = folder.resolve()
        if folder not in _loaded_dirs and folder.is_dir():
            _loaded_dirs.add(folder)
            _failures[folder] = [failure for file in sorted(folder.glob("*.py"))
                                 if (failure := _import_check_module(file)) is not None]
        errors += [failure.error for failure in _failures.get(folder, [])]
    return errors


def check_module_failures(folders: Iterable[Path]) -> list[CheckModuleFailure]:
    load_check_modules(folders)
    return [failure for folder in folders for failure in _failures.get(folder.resolve(), [])]


def _import_check_module(file: Path) -> CheckModuleFailure | None:
    name = f"{USER_MODULE_PREFIX}{abs(hash(file))}"
    try:
        spec = importlib.util.spec_from_file_location(name, file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return None
    except BaseException as exc:  # an instructor's module must not take the app down, not even with exit()
        sys.modules.pop(name, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        line = exc.lineno if isinstance(exc, SyntaxError) and exc.filename == str(file) else _line_in(file, exc)
        detail = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        error = LocatedError(file, line, "", f"check module does not load: {type(exc).__name__}: {detail}")
        try:
            names = frozenset(_CHECK_NAME.findall(file.read_bytes().decode("utf-8", errors="replace")))
        except OSError:
            names = frozenset()
        return CheckModuleFailure(error, names)


def _line_in(file: Path, exc: BaseException) -> int | None:
    """The line of `file` deepest in the traceback: where the module itself went wrong."""
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == str(file):
            line = lineno
    return line


def registry(folders: Iterable[Path] = ()) -> dict[str, Check]:
    _load_builtin()
    load_check_modules(folders)
    return dict(_REGISTRY)


def get_check(name: str) -> Check | None:
    _load_builtin()
    return _REGISTRY.get(name)


@dataclass(frozen=True)
class CheckDescription:
    """A check as a lesson author sees it: `coach checks` prints these."""

    name: str
    summary: str
    module: str
    params: tuple[tuple[str, str, bool], ...]
    """(name, type in words, required) for each parameter."""

    def param_words(self) -> list[str]:
        return [f"{name}: {kind}" + ("" if required else ", optional") for name, kind, required in self.params]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "summary": self.summary, "module": self.module,
                "params": [{"name": n, "type": k, "required": r} for n, k, r in self.params]}


def _kind_words(field: Field) -> str:
    kinds = set(field.kind) if isinstance(field.kind, tuple) else {field.kind}
    words = "number" if kinds == {int, float} else " or ".join(sorted(kind.__name__ for kind in kinds))
    return f"{words} of {field.item.__name__}" if field.item is not None else words


def _origin(module: str) -> str:
    """'retries' for a bundled module; the file name for an instructor's."""
    if module.startswith(USER_MODULE_PREFIX):
        file = getattr(sys.modules.get(module), "__file__", None)
        return Path(file).name if file else module
    return module.removeprefix("coach.grader.library.")


def describe_checks(folders: Iterable[Path] = ()) -> list[CheckDescription]:
    """Every registered check, by name, with its parameters in words."""
    return [
        CheckDescription(name, c.summary, _origin(c.function.__module__),
                         tuple((p, _kind_words(f), f.required) for p, f in c.params.items()))
        for name, c in sorted(registry(folders).items())
    ]


def check_params(folders: Iterable[Path] = ()) -> dict[str, dict[str, Field]]:
    """Name -> parameter schema, for lint; check modules in `folders` are loaded first."""
    return {name: check.params for name, check in registry(folders).items()}
