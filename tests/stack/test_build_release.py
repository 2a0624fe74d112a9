"""scripts/build-release and the CMake switch behind it (CDC_PGO), offline: which objects get the
profile flags, and the errors for a bad setting. Configures only (no compile): the full
profile-guided build takes minutes and is run by the image build and local mode, not here."""

from __future__ import annotations

import json
from pathlib import Path

from stackutil import REPO, run, which

SCRIPT = REPO / "scripts" / "build-release"
HOT_MODULES = {"cdc_core", "cdc_decode", "cdc_transform", "cdc_sink_elasticsearch"}


def configure(build_dir: Path, *defines: str):
    return run([which("cmake"), "-S", str(REPO / "consumer"), "-B", str(build_dir), "-G", "Ninja",
                "-DCMAKE_BUILD_TYPE=Release", "-DCDC_BUILD_TESTS=OFF", "-DCDC_BUILD_BENCH=OFF",
                *defines], timeout=120)


def flags_by_module(build_dir: Path) -> dict[str, set[bool]]:
    """Module -> whether each of its objects compiles with a -fprofile-* flag."""
    result: dict[str, set[bool]] = {}
    for entry in json.loads((build_dir / "compile_commands.json").read_text()):
        output = entry.get("output") or entry["command"].split(" -o ")[1].split()[0]
        module = output.split("CMakeFiles/")[1].split(".dir/")[0]
        result.setdefault(module, set()).add("-fprofile-" in entry["command"])
    return result


def test_use_puts_the_profile_on_the_hot_path_modules_only(tmp_path: Path) -> None:
    result = configure(tmp_path, "-DCDC_PGO=USE", f"-DCDC_PGO_DIR={tmp_path / 'profile'}")
    assert result.returncode == 0, result.stdout + result.stderr
    modules = flags_by_module(tmp_path)
    assert HOT_MODULES <= modules.keys()
    for module, flagged in modules.items():
        assert flagged == {module in HOT_MODULES}, module
    commands = [e["command"] for e in json.loads((tmp_path / "compile_commands.json").read_text())]
    decode = next(c for c in commands if "canal_json_decoder.cc" in c)
    assert f"-fprofile-use={tmp_path / 'profile'}" in decode
    assert "-fprofile-partial-training" in decode
    assert f"-fprofile-prefix-path={tmp_path}" in decode
    assert "ccache" not in decode  # ccache would not notice a new profile


def test_generate_instruments_the_same_modules_and_adds_the_trainer(tmp_path: Path) -> None:
    result = configure(tmp_path, "-DCDC_PGO=GENERATE", f"-DCDC_PGO_DIR={tmp_path / 'profile'}")
    assert result.returncode == 0, result.stdout + result.stderr
    modules = flags_by_module(tmp_path)
    assert {m for m, flagged in modules.items() if True in flagged} == HOT_MODULES
    assert modules["pgo_train"] == {False}  # the trainer runs the profiled code, it is not in it


def test_off_is_the_default_and_adds_no_profile_flag(tmp_path: Path) -> None:
    result = configure(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(flagged == {False} for flagged in flags_by_module(tmp_path).values())


def test_bad_settings_are_refused_with_the_reason(tmp_path: Path) -> None:
    bogus = configure(tmp_path / "a", "-DCDC_PGO=sometimes")
    assert bogus.returncode != 0
    assert "CDC_PGO must be OFF, GENERATE or USE, not 'sometimes'" in bogus.stderr
    no_dir = configure(tmp_path / "b", "-DCDC_PGO=USE")
    assert no_dir.returncode != 0
    assert "CDC_PGO=USE needs CDC_PGO_DIR" in no_dir.stderr


def test_script_usage_and_unknown_options() -> None:
    usage = run([str(SCRIPT), "--help"])
    assert usage.returncode == 0
    assert "usage: scripts/build-release [--no-pgo]" in usage.stdout
    bad = run([str(SCRIPT), "--fast"])
    assert bad.returncode == 2
    assert "build-release: unknown option --fast" in bad.stderr
