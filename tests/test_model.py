"""The Whisper model: choosing it from the config, joining the embedded model once, detecting damage."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from pipeline import model
from pipeline.config import TranscriptionSettings
from pipeline.errors import ConfigError

# The published sha256 of Systran/faster-whisper-base (DESIGN.md), written out here independently of the code.
PUBLISHED = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}


def sha256sum(path) -> str:
    return subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True).stdout.split()[0]


@pytest.fixture
def small_package(tmp_path):
    """Real files split in parts, like the two PyPI packages, with the hashes of the joined files."""
    src = tmp_path / "site"
    src.mkdir()
    blob = os.urandom(300_000)
    (src / "model.bin.part1").write_bytes(blob[:170_000])
    (src / "model.bin.part2").write_bytes(blob[170_000:])
    (src / "config.json").write_text('{"alignment_heads": []}')
    sources = {"model.bin": [src / "model.bin.part1", src / "model.bin.part2"], "config.json": [src / "config.json"]}
    expected = {"model.bin": hashlib.sha256(blob).hexdigest(),
                "config.json": hashlib.sha256(b'{"alignment_heads": []}').hexdigest()}
    return sources, expected, blob


def test_join_writes_verified_files_and_a_marker(tmp_path, small_package):
    sources, expected, blob = small_package
    target = tmp_path / "cache" / "whisper-base"
    assert model.join_verified(target, sources, expected) == target
    assert (target / "model.bin").read_bytes() == blob
    assert sha256sum(target / "config.json") == expected["config.json"]
    assert (target / model.MARKER).exists()
    assert [p.name for p in target.parent.iterdir()] == ["whisper-base"]  # no temporary folder left


def test_corrupt_or_partial_join_is_detected_and_redone(tmp_path, small_package):
    sources, expected, blob = small_package
    target = tmp_path / "whisper-base"
    model.join_verified(target, sources, expected)
    # a flipped byte (the file's mtime changes, so the marker no longer vouches for it)
    data = bytearray((target / "model.bin").read_bytes())
    data[1000] ^= 0xFF
    (target / "model.bin").write_bytes(bytes(data))
    assert not model.verified(target, expected)
    model.join_verified(target, sources, expected)
    assert (target / "model.bin").read_bytes() == blob
    # a partial join: the file is cut short, the marker is gone
    with open(target / "model.bin", "r+b") as handle:
        handle.truncate(1000)
    (target / model.MARKER).unlink()
    assert not model.verified(target, expected)
    model.join_verified(target, sources, expected)
    assert sha256sum(target / "model.bin") == expected["model.bin"]
    # a missing file
    (target / "config.json").unlink()
    assert not model.verified(target, expected)


def test_marker_saves_rehashing_but_a_changed_file_is_hashed(tmp_path, small_package):
    sources, expected, _ = small_package
    target = tmp_path / "whisper-base"
    model.join_verified(target, sources, expected)
    assert model.verified(target, expected)
    # the same bytes rewritten (new mtime): hashed again, still good, marker refreshed
    content = (target / "config.json").read_bytes()
    (target / "config.json").write_bytes(content)
    assert model.verified(target, expected)


def test_damaged_source_is_an_error_and_leaves_no_folder(tmp_path, small_package):
    sources, expected, _ = small_package
    sources["model.bin"][1].write_bytes(b"not the second half")
    target = tmp_path / "whisper-base"
    with pytest.raises(model.ModelError, match="damaged"):
        model.join_verified(target, sources, expected)
    assert not target.exists()
    assert list(tmp_path.glob(".whisper-base*")) == []


def test_choose_embedded_named_and_folder(tmp_path):
    config = tmp_path / "config.toml"
    choice = model.choose(TranscriptionSettings(device="cpu"), config)
    assert (choice.kind, choice.device, choice.compute_type) == ("embedded", "cpu", "int8")
    assert model.choose(TranscriptionSettings(model="large-v3", device="cpu"), config).kind == "named"
    assert model.choose(TranscriptionSettings(model="Systran/faster-whisper-small", device="cpu"), config).kind == "named"
    with pytest.raises(ConfigError, match="transcription.model: unknown model 'grote'"):
        model.choose(TranscriptionSettings(model="grote"), config)
    with pytest.raises(ConfigError, match="model folder not found"):
        model.choose(TranscriptionSettings(model="./models/mine"), config)
    (tmp_path / "models" / "mine").mkdir(parents=True)
    (tmp_path / "models" / "mine" / "model.bin").write_bytes(b"x")
    with pytest.raises(ConfigError, match="missing config.json, tokenizer.json"):
        model.choose(TranscriptionSettings(model="./models/mine"), config)
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / "models" / "mine" / name).write_text("{}")
    folder = model.choose(TranscriptionSettings(model="./models/mine", device="cpu", compute_type="float32"), config)
    assert (folder.kind, folder.name, folder.compute_type) == ("folder", str(tmp_path / "models" / "mine"), "float32")


def test_device_and_compute_type_resolution():
    assert model.resolve_compute_type("auto", "cpu") == "int8"
    assert model.resolve_compute_type("auto", "cuda") == "float16"
    assert model.resolve_compute_type("int8_float16", "cuda") == "int8_float16"
    # the choice itself, for a machine with and without a GPU: float16 on CUDA, int8 on the CPU
    assert model.resolve_device("auto", cuda_devices=1) == "cuda"
    assert model.resolve_device("auto", cuda_devices=0) == "cpu"
    assert model.resolve_device("cpu", cuda_devices=1) == "cpu"
    assert model.resolve_compute_type("auto", model.resolve_device("auto", cuda_devices=2)) == "float16"
    assert model.resolve_compute_type("auto", model.resolve_device("auto", cuda_devices=0)) == "int8"
    expected = "cuda" if model.cuda_device_count() > 0 else "cpu"
    assert model.resolve_device("auto") == expected
    if expected == "cpu":
        with pytest.raises(ConfigError, match='"cuda" but CTranslate2 sees no CUDA device'):
            model.choose(TranscriptionSettings(device="cuda"), "config.toml")


def test_named_model_missing_offline_says_what_to_do(tmp_path):
    """A model that is not in the local cache: a clear error at once, no download attempt (unroutable proxy)."""
    code = ("import sys; from pipeline import model\n"
            "try:\n    model.named_model_dir('small')\nexcept model.ModelError as e:\n    print(e); sys.exit(3)\n")
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HTTPS_PROXY": "http://127.0.0.1:9",
           "HTTP_PROXY": "http://127.0.0.1:9"}
    env.pop("HF_HUB_OFFLINE", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert "'small' is not on this machine" in proc.stdout
    assert "pipeline model fetch small" in proc.stdout


@pytest.mark.slow
def test_embedded_model_joins_from_the_packages_with_the_published_hashes(tmp_path):
    folder = model.embedded_model_dir(tmp_path / "models")
    assert folder == tmp_path / "models" / "whisper-base"
    for name, digest in PUBLISHED.items():
        assert sha256sum(folder / name) == digest, name
    assert (folder / "model.bin").stat().st_size == 145_217_532
    # a damaged model.bin is found and replaced, never loaded
    with open(folder / "model.bin", "ab") as handle:
        handle.write(b"\0")
    assert model.embedded_model_dir(tmp_path / "models") == folder
    assert sha256sum(folder / "model.bin") == PUBLISHED["model.bin"]
