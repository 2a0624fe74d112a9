"""consumer/Dockerfile and .dockerignore, offline. No Docker engine exists here, so the image is never
built; instead: a Dockerfile linter, the structure (two pinned bookworm stages, the project's
install-deps in the build stage, non-root numeric user, healthcheck without curl), every COPY source
present in the build context, and the runtime package list checked against what the libraries the
consumer links really are on Debian bookworm (dpkg) and against the ELF NEEDED entries of a binary
linked with those libraries."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from stackutil import REPO, load_yaml, run, which

DOCKERFILE = REPO / "consumer" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
# Each library the consumer links (consumer/CMakeLists.txt) -> (its -dev package in
# scripts/install-deps, the linker flag, the runtime package the image must install).
LIBRARIES = {
    "librdkafka": ("librdkafka-dev", "-lrdkafka", "librdkafka1"),
    "simdjson": ("libsimdjson-dev", "-lsimdjson", "libsimdjson14"),
    "prometheus-cpp core": ("prometheus-cpp-dev", "-lprometheus-cpp-core", "libprometheus-cpp-core1.0"),
    "libcurl": ("libcurl4-openssl-dev", "-lcurl", "libcurl4"),
    "sqlite3": ("libsqlite3-dev", "-lsqlite3", "libsqlite3-0"),
    "yaml-cpp": ("libyaml-cpp-dev", "-lyaml-cpp", "libyaml-cpp0.7"),
    "spdlog": ("libspdlog-dev", "-lspdlog", "libspdlog1.10"),
    "fmt": ("libfmt-dev", "-lfmt", "libfmt9"),
    "zlib": ("zlib1g-dev", "-lz", "zlib1g"),
    "libdeflate": ("libdeflate-dev", "-ldeflate", "libdeflate0"),
    "openssl": ("libssl-dev", "-lssl", "libssl3"),
    "cpp-httplib": ("libcpp-httplib-dev", "-lcpp-httplib", "libcpp-httplib0.11"),
}
# In every Debian image already (essential or required by apt).
BASE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g"}


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped, continuation lines joined."""
    out: list[tuple[str, str]] = []
    logical = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        logical += line.rstrip()
        if logical.endswith("\\"):
            logical = logical[:-1] + " "
            continue
        if logical.strip():
            word, _, args = logical.strip().partition(" ")
            out.append((word.upper(), " ".join(args.split())))
        logical = ""
    return out


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for ins in instructions(DOCKERFILE.read_text()):
        if ins[0] == "FROM":
            result.append([])
        assert result, "instruction before FROM"
        result[-1].append(ins)
    return result


def runtime_packages() -> set[str]:
    run_lines = [args for ins, args in stages()[-1] if ins == "RUN" and "apt-get install" in args]
    assert len(run_lines) == 1
    words = run_lines[0].split("apt-get install", 1)[1].split("&&")[0].split()
    return {w for w in words if not w.startswith("-")}


def dpkg_field(package: str, field: str) -> str:
    result = run(["dpkg-query", "-W", f"-f=${{{field}}}", package])
    if result.returncode != 0:
        pytest.fail(f"{package} is not installed: run scripts/install-deps")
    return result.stdout


def test_dockerfile_lint(lint_dir: Path, node: str) -> None:
    tool = lint_dir / "node_modules" / "dockerfile-utils" / "bin" / "dockerfile-utils"
    result = run([node, str(tool), "lint", str(DOCKERFILE)])
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_dockerfile_lint_catches_errors(lint_dir: Path, node: str, tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text(DOCKERFILE.read_text().replace("HEALTHCHECK --interval", "HEALTHCHECK --intreval"))
    tool = lint_dir / "node_modules" / "dockerfile-utils" / "bin" / "dockerfile-utils"
    result = run([node, str(tool), "lint", str(bad)])
    assert result.returncode != 0 and "Unknown flag: intreval" in result.stdout


def test_two_pinned_bookworm_stages() -> None:
    froms = [args for st in stages() for ins, args in st if ins == "FROM"]
    assert len(froms) == 2
    for args in froms:
        image = args.split()[0]
        assert re.fullmatch(r"debian:(12\.\d+|bookworm-\d{8})-slim", image), image
    assert froms[0].endswith(" AS build") and froms[1].endswith(" AS runtime")


def test_build_stage_uses_the_project_scripts() -> None:
    build = stages()[0]
    copies = [args for ins, args in build if ins == "COPY"]
    assert any(args.startswith("scripts/install-deps ") for args in copies)
    assert "scripts/build-release scripts/build-release" in copies
    runs = " ".join(args for ins, args in build if ins == "RUN")
    assert "install-deps --build-only" in runs
    # The same profile-guided build as local mode, without tests, benchmarks or fuzzers.
    assert re.search(r"scripts/build-release (-D\S+ )*cdc-consumer", runs), runs
    for option in ("-DCDC_BUILD_TESTS=OFF", "-DCDC_BUILD_BENCH=OFF", "-DCDC_BUILD_FUZZ=OFF"):
        assert option in runs
    assert "--no-pgo" not in runs
    script = (REPO / "scripts" / "build-release").read_text()
    assert "cmake --preset release -DCDC_PGO=USE" in script
    presets = json.loads((REPO / "consumer" / "CMakePresets.json").read_text())
    assert "release" in {p["name"] for p in presets["configurePresets"]}
    assert "--build-only" in (REPO / "scripts" / "install-deps").read_text()
    # The binary the runtime stage copies is where the release preset puts it.
    runtime_copy = [args for ins, args in stages()[1] if ins == "COPY"]
    assert runtime_copy == ["--from=build /src/consumer/build/release/cdc-consumer "
                            "/usr/local/bin/cdc-consumer"]


def test_runtime_stage_is_minimal_non_root_and_self_checking() -> None:
    runtime = stages()[1]
    text = " ".join(args for _, args in runtime)
    packages = runtime_packages()
    assert not {p for p in packages if p.endswith("-dev")}, "development packages in the runtime"
    assert not packages & {"curl", "wget", "build-essential", "cmake", "gcc", "g++", "clang"}
    assert "--no-install-recommends" in text and "rm -rf /var/lib/apt/lists/*" in text
    user = [args for ins, args in runtime if ins == "USER"]
    assert len(user) == 1 and re.fullmatch(r"[1-9]\d*(:[1-9]\d*)?", user[0]), user
    assert [args for ins, args in runtime if ins == "ENV"] == ["CDC_LISTEN=0.0.0.0:3000"]
    assert [args for ins, args in runtime if ins == "EXPOSE"] == ["3000"]
    health = [args for ins, args in runtime if ins == "HEALTHCHECK"]
    assert len(health) == 1
    assert 'CMD ["cdc-consumer", "healthcheck", "--url", "http://127.0.0.1:3000/healthz"]' in health[0]
    assert [args for ins, args in runtime if ins == "ENTRYPOINT"] == ['["cdc-consumer"]']
    assert [args for ins, args in runtime if ins == "CMD"] == ['["run"]']
    assert any("ldd /usr/local/bin/cdc-consumer" in args and "not found" in args
               for ins, args in runtime if ins == "RUN")
    # The user is created with the same numeric id the USER line names.
    assert f"--uid {user[0].split(':')[0]}" in text


def test_runtime_packages_are_the_libraries_the_consumer_links() -> None:
    """Every runtime package is the shared-library package its -dev package depends on (dpkg on this
    bookworm machine), and every -dev package is one scripts/install-deps installs."""
    packages = runtime_packages()
    install_deps = (REPO / "scripts" / "install-deps").read_text()
    for name, (dev, _, runtime) in LIBRARIES.items():
        assert re.search(rf"\b{re.escape(dev)}\b", install_deps), f"{dev} not in install-deps"
        assert runtime in packages, f"{name}: {runtime} missing from the runtime stage"
        depends = dpkg_field(dev, "Depends")
        assert re.search(rf"(^|[ ,|]){re.escape(runtime)}([ ,(]|$)", depends), \
            f"{dev} depends on {depends!r}, not {runtime}"
        dpkg_field(runtime, "Version")  # the name exists in this Debian release
    assert packages - {lib[2] for lib in LIBRARIES.values()} == {"ca-certificates"}


def needed_packages(binary: Path) -> set[str]:
    """Debian packages of the shared libraries `binary` links directly (ELF NEEDED)."""
    ldd = run(["ldd", str(binary)])
    assert ldd.returncode == 0, ldd.stderr
    resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd.stdout, re.M))
    dyn = run(["readelf", "-d", str(binary)]).stdout
    candidates: dict[str, set[str]] = {}
    for soname in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn):
        path = Path(resolved[soname])
        paths = {str(path), str(path.resolve())}
        paths |= {p.replace("/usr/lib/", "/lib/", 1) for p in paths if p.startswith("/usr/lib/")}
        paths |= {p.replace("/lib/", "/usr/lib/", 1) for p in list(paths) if p.startswith("/lib/")}
        candidates[soname] = paths  # usrmerge: dpkg knows each file under one of these names
    # One dpkg call for all paths (it is slow); it exits 1 for the aliases it does not know.
    every = sorted(set().union(*candidates.values()))
    owner = subprocess.run(["dpkg", "-S", *every], capture_output=True, text=True)
    owners = {}
    for line in owner.stdout.splitlines():
        package, _, path = line.partition(": ")
        owners[path] = {p.split(":")[0] for p in package.split(", ")}
    packages = set()
    for soname, paths in candidates.items():
        found = set().union(*(owners.get(p, set()) for p in paths))
        assert found, f"no package owns {soname} ({paths})"
        packages |= found
    return packages


def test_a_binary_linking_every_library_needs_only_runtime_packages(tmp_path: Path) -> None:
    """Links an empty program against every library CMakeLists.txt uses (keeping every NEEDED entry)
    and maps each to its package: all must be in the runtime stage or in every Debian image."""
    source = tmp_path / "main.cc"
    source.write_text("int main() { return 0; }\n")
    binary = tmp_path / "probe"
    flags = [flag for _, flag, _ in LIBRARIES.values()] + ["-lcrypto"]
    result = run([which("g++"), str(source), "-o", str(binary), "-Wl,--no-as-needed", *flags],
                 timeout=120)
    assert result.returncode == 0, result.stderr
    missing = needed_packages(binary) - runtime_packages() - BASE_PACKAGES
    assert not missing, f"not installed by the runtime stage: {missing}"


def test_a_built_consumer_needs_only_runtime_packages() -> None:
    """The real cdc-consumer of a local build (scripts/test builds asan-ubsan before this stage):
    its NEEDED libraries, apart from sanitizer runtimes, come from runtime-stage packages."""
    binaries = sorted((REPO / "consumer" / "build").glob("*/cdc-consumer"))
    if not binaries:
        pytest.skip("no build of cdc-consumer here (scripts/test builds one before this stage)")
    sanitizers = re.compile(r"^(lib(asan|ubsan|tsan|lsan)\d+|libclang-rt-.*)$")
    for binary in binaries:
        needed = {p for p in needed_packages(binary) if not sanitizers.match(p)}
        missing = needed - runtime_packages() - BASE_PACKAGES
        assert not missing, f"{binary.relative_to(REPO)} needs {missing}, not in the runtime stage"


# ------------------------------------------------------------------ .dockerignore
def dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    out = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        out.append((negate, re.compile(regex.rstrip("/") + "$")))
    return out


def ignored(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for negate, regex in dockerignore_patterns():
        if any(regex.match(p) for p in prefixes):
            result = not negate
    return result


def test_dockerignore_keeps_what_the_build_copies_and_drops_the_rest() -> None:
    compose = load_yaml(REPO / "docker-compose.yml")["services"]["consumer"]["build"]
    assert compose == {"context": ".", "dockerfile": "consumer/Dockerfile"}
    for ins, args in instructions(DOCKERFILE.read_text()):
        if ins != "COPY" or args.startswith("--from"):
            continue
        *sources, _ = shlex.split(args)
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
            assert not ignored(source.rstrip("/")), f"COPY {source}: excluded by .dockerignore"
    for kept in ("consumer/CMakeLists.txt", "consumer/CMakePresets.json", "consumer/src/app/main.cc",
                 "consumer/pgo/pgo_train.cc", "scripts/install-deps", "scripts/build-release"):
        assert not ignored(kept), kept
    for dropped in ("consumer/build/debug/cdc-consumer", "consumer/build-local/x", ".git/HEAD",
                    "tests/stack/lint/node_modules/x", "docs/stack.md", "prometheus/prometheus.yml",
                    "consumer/tests/__pycache__/x.pyc", "scripts/run-local"):
        assert ignored(dropped), dropped
