"""Invariants of docker-compose.yml, as a function that lists every problem it finds, so the tests can
run it on the real file (no problems) and on broken copies (the problem is reported)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

HEALTHY = "service_healthy"
COMPLETED = "service_completed_successfully"
# A tag that names a version: a digit somewhere, not "latest"/"stable"/"main"...
VERSION_TAG = re.compile(r"^[A-Za-z]*v?\d+(\.\d+)*([.-][0-9A-Za-z.-]+)?$")


def image_problems(name: str, image: str) -> list[str]:
    if "@sha256:" in image:
        return []
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return [f"{name}: image {image!r} has no tag (that means latest)"]
    tag = last.split(":", 1)[1]
    if tag == "latest" or not VERSION_TAG.match(tag):
        return [f"{name}: image {image!r} is not pinned to a version"]
    return []


def parse_port(spec: Any) -> tuple[str, int, int]:
    """'127.0.0.1:4000:4000' -> ('127.0.0.1', 4000, 4000); long syntax is rejected by the caller."""
    parts = str(spec).split("/")[0].split(":")
    if len(parts) == 3:
        return parts[0], int(parts[1]), int(parts[2])
    if len(parts) == 2:
        return "", int(parts[0]), int(parts[1])
    return "", 0, int(parts[0])


def is_one_shot(service: dict[str, Any]) -> bool:
    return str(service.get("restart", "no")) == "no" and "ports" not in service


def has_healthcheck(service: dict[str, Any]) -> bool:
    hc = service.get("healthcheck") or {}
    return bool(hc.get("test")) and not hc.get("disable") and hc.get("test") != ["NONE"]


def problems(compose: dict[str, Any], root: Path) -> list[str]:
    out: list[str] = []
    services: dict[str, dict[str, Any]] = compose.get("services") or {}
    declared_volumes = set((compose.get("volumes") or {}).keys())
    networks = set((compose.get("networks") or {}).keys())
    if len(networks) != 1:
        out.append(f"expected one network, found {sorted(networks)}")
    host_ports: dict[int, str] = {}
    volume_users: dict[str, list[str]] = {}

    for name, svc in services.items():
        # images pinned, or built from a Dockerfile in the repo
        if "image" in svc:
            out += image_problems(name, svc["image"])
        if "build" in svc:
            build = svc["build"] if isinstance(svc["build"], dict) else {"context": svc["build"]}
            context = root / build.get("context", ".")
            if not context.is_dir():
                out.append(f"{name}: build context {build.get('context')} does not exist")
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if not dockerfile.is_file():
                out.append(f"{name}: Dockerfile {dockerfile.relative_to(root)} does not exist")
        if "image" not in svc and "build" not in svc:
            out.append(f"{name}: neither image nor build")

        # depends_on: long form with a condition the target satisfies
        deps = svc.get("depends_on") or {}
        if isinstance(deps, list):
            out.append(f"{name}: depends_on must name conditions (long form)")
            deps = {}
        for target, spec in deps.items():
            condition = (spec or {}).get("condition")
            if target not in services:
                out.append(f"{name}: depends_on {target}, which does not exist")
                continue
            if condition == HEALTHY:
                if not has_healthcheck(services[target]):
                    out.append(f"{name}: waits for {target} to be healthy, but it has no healthcheck")
            elif condition == COMPLETED:
                if not is_one_shot(services[target]):
                    out.append(f"{name}: waits for {target} to complete, but it is not a one-shot "
                               f"(restart \"no\", no ports)")
            else:
                out.append(f"{name}: depends_on {target} with condition {condition!r}; use "
                           f"{HEALTHY} or {COMPLETED}")

        # long-running services have a healthcheck; one-shots do not restart
        if str(svc.get("restart", "no")) != "no" and not has_healthcheck(svc):
            out.append(f"{name}: long-running service without a healthcheck")

        # ports: published once, on loopback
        for spec in svc.get("ports") or []:
            if isinstance(spec, dict):
                out.append(f"{name}: use the short port syntax")
                continue
            ip, host, _ = parse_port(spec)
            if ip != "127.0.0.1":
                out.append(f"{name}: port {spec} is not bound to 127.0.0.1")
            if host in host_ports:
                out.append(f"{name}: host port {host} already published by {host_ports[host]}")
            host_ports[host] = name

        # volumes: named ones declared and used once; bind mounts exist in the repo
        targets: set[str] = set()
        for spec in svc.get("volumes") or []:
            if isinstance(spec, dict):
                out.append(f"{name}: use the short volume syntax")
                continue
            source, target = spec.split(":")[0], spec.split(":")[1]
            if target in targets:
                out.append(f"{name}: two mounts at {target}")
            targets.add(target)
            if source.startswith(("./", "../")):
                if not (root / source).exists():
                    out.append(f"{name}: mounts {source}, which does not exist in the repository")
                elif not (root / source).resolve().is_relative_to(root.resolve()):
                    out.append(f"{name}: mounts {source}, outside the repository")
            elif source.startswith(("/", "~")):
                out.append(f"{name}: mounts host path {source}; use a named volume or a repo file")
            else:
                if source not in declared_volumes:
                    out.append(f"{name}: named volume {source} is not declared")
                volume_users.setdefault(source, []).append(name)

        if set(svc.get("networks") or []) != networks:
            out.append(f"{name}: not on the stack's one network")

    for volume in declared_volumes:
        users = volume_users.get(volume, [])
        if len(users) != 1:
            out.append(f"volume {volume} is used by {users or 'no service'} (expected one)")

    out += cycle_problems(services)
    return out


def cycle_problems(services: dict[str, dict[str, Any]]) -> list[str]:
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> list[str]:
        if state.get(name) == 1:
            return [f"depends_on cycle: {' -> '.join(path + [name])}"]
        if state.get(name) == 2 or name not in services:
            return []
        state[name] = 1
        found = []
        deps = services[name].get("depends_on") or {}
        for target in deps:
            found += visit(target, path + [name])
        state[name] = 2
        return found

    out: list[str] = []
    for name in services:
        out += visit(name, [])
    return out
