"""Code fingerprints: what a stage's output depends on besides its input files and options.

The engine records, per stage, the SHA-256 of every project file the stage's code uses and the version of every
library and program that decides its output; a stage whose fingerprint differs is stale, and the reason names
the file or tool ("code changed: pipeline/audiocues.py"). No hand-bumped version numbers: those are forgotten
the first time the logic lives in another module.

What a module uses is read from its source, not from a running interpreter:
- every `import` and `from ... import` in it, also those inside functions (those under `if TYPE_CHECKING:`
  do not count), followed transitively through the modules whose source lies in the same project folder
  (the folder that holds the module's top-level package). A package's `__init__.py` counts when a name is
  imported from it, not when only one of its submodules is;
- the non-Python files of a folder or file whose name the source quotes ("templates", "static"), looked up in
  the module's own folder and the folders above it inside its top-level package;
- the version of the distribution of every other (non-standard-library) import;
- the tools in a module-level `TOOLS = ("ffmpeg", "onnxruntime")`: libraries it uses without importing them
  (version of the distribution) and programs (the first line of `NAME -version`).

    code, tools = fingerprint.of("pipeline.stages.chapters")   # cached per process
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Uses:
    """What one module's source names: the modules it imports and the tools it declares."""

    imports: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)  # (module, names taken from it)
    tools: tuple[str, ...] = ()


def _statements(body: list[ast.stmt]):
    """Every statement, also inside functions, classes and blocks, except under `if TYPE_CHECKING:`."""
    for node in body:
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _statements(node.orelse)
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            yield from _statements(getattr(node, name, []))


def read_uses(source: str, module: str, is_package: bool) -> Uses:
    """The imports (as absolute module names) and the TOOLS of one module's source."""
    uses = Uses()
    package = module if is_package else module.rpartition(".")[0]
    for node in _statements(ast.parse(source).body):
        if isinstance(node, ast.Import):
            uses.imports.update((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            uses.imports.add((base, tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "TOOLS" for t in node.targets):
            uses.tools = tuple(ast.literal_eval(node.value))
    return uses


@functools.lru_cache(maxsize=None)
def _read_uses_cached(path: Path, module: str, stamp: tuple[int, int]) -> Uses:
    return read_uses(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")


def _uses_of(path: Path, module: str) -> Uses:
    stat = path.stat()
    return _read_uses_cached(path, module, (stat.st_size, stat.st_mtime_ns))


def _source(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _data_files(root: Path, source: Path) -> set[Path]:
    """Non-Python files that the source names in a string ("templates"), found in the module's folder or a
    folder above it inside its top-level package (a whole folder counts with all its files)."""
    top = root / source.relative_to(root).parts[0]
    text = source.read_text(encoding="utf-8")
    found: set[Path] = set()
    for folder in (f for f in (source.parent, *source.parent.parents) if f == top or top in f.parents):
        for target in folder.iterdir():
            if target.suffix == ".py" or target.name == "__pycache__" or \
                    f'"{target.name}"' not in text and f"'{target.name}'" not in text:
                continue
            files = [target] if target.is_file() else target.rglob("*")
            found.update(p for p in files if p.is_file() and p.suffix not in (".py", ".pyc")
                         and "__pycache__" not in p.parts)
    return found


def dependencies(module: str, root: Path, skip: tuple[str, ...] = ()) -> tuple[set[Path], set[str]]:
    """The project files `module` uses (its source, the sources it imports transitively, data files they name)
    and the names of the other things it uses: imported top-level modules outside the project and TOOLS.
    The modules in `skip` are not followed (the engine: see pipeline/engine.py code_of)."""
    files: set[Path] = set()
    external: set[str] = set()
    todo = [module]
    seen: set[str] = set(skip)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = _source(root, name)
        if source is None:
            continue
        files.add(source)
        uses = _uses_of(source, name)
        files |= _data_files(root, source)
        external.update(uses.tools)
        for base, names in uses.imports:
            if not base:
                continue
            if _source(root, base) is None:
                if base.split(".")[0] not in sys.stdlib_module_names and base != "__future__":
                    external.add(base.split(".")[0])
                continue
            submodules = [f"{base}.{n}" for n in names if _source(root, f"{base}.{n}") is not None]
            todo += submodules
            if len(submodules) < len(names) or not names:  # a name (not a submodule) is taken from `base`
                todo.append(base)
    return files, external


def file_hashes(files: set[Path], root: Path) -> dict[str, str]:
    """{"pipeline/audiocues.py": sha256, ...} with paths relative to `root`."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


@functools.cache
def _distributions() -> dict[str, str]:
    """Import name -> distribution, from the distributions' top_level.txt (PIL -> pillow, docx -> python-docx)."""
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        for name in (dist.read_text("top_level.txt") or "").split():
            found.setdefault(name, dist.metadata["Name"])
    return found


@functools.cache
def tool_version(name: str) -> str:
    """The version of the distribution `name` (a distribution or an import name), else the first line of the
    program's `NAME -version` (without the copyright), else "not installed"."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        pass
    if name in _distributions():  # an import name such as PIL or docx
        return importlib.metadata.version(_distributions()[name])
    program = shutil.which(name)
    if program is None:
        return "not installed"
    try:
        run = subprocess.run([program, "-version"], capture_output=True, text=True, timeout=30)
        return (run.stdout or run.stderr).strip().splitlines()[0].split(" Copyright")[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


@functools.cache
def of(module: str, skip: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """(file hashes, tool versions) of an imported module; paths relative to the folder of its top package."""
    path = Path(sys.modules[module].__file__).resolve()
    root = path.parents[module.count(".") + (path.name == "__init__.py")]
    files, external = dependencies(module, root, skip)
    return file_hashes(files, root), {name: tool_version(name) for name in sorted(external)}


def digest(module: str) -> str:
    """One SHA-256 over a module's whole fingerprint (for files that must not outlive the code that wrote them)."""
    code, tools = of(module)
    return hashlib.sha256(repr((sorted(code.items()), sorted(tools.items()))).encode()).hexdigest()
