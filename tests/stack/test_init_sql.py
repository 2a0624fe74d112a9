"""db/init.sql against a real MySQL-protocol server: Debian's MariaDB, started by this test in a
temporary directory on 127.0.0.1 (works as root and as a normal user), with TiDB's default
sql_mode. The script runs twice, through the command-line client as db-init runs it, and must
leave the schema and exactly one seed row."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from stackutil import REPO, free_port, load_yaml, run, wait_until, which

INIT_SQL = REPO / "db" / "init.sql"
# TiDB v6.5's default sql_mode (MariaDB knows every flag).
TIDB_SQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                 "ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION")


def _tool(*names: str) -> str:
    for name in names:
        try:
            return which(name)
        except FileNotFoundError:
            continue
    pytest.fail(f"none of {names} found: run scripts/install-deps (mariadb-server, mariadb-client)")


class MariaDB:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.client = _tool("mariadb", "mysql")
        self.user = pwd.getpwuid(os.getuid()).pw_name

    def start(self) -> None:
        datadir = self.base / "data"
        install = run([_tool("mariadb-install-db", "mysql_install_db"), "--no-defaults",
                       f"--datadir={datadir}", f"--user={self.user}",
                       "--auth-root-authentication-method=normal", "--skip-test-db"], timeout=120)
        assert install.returncode == 0, install.stdout + install.stderr
        for _ in range(3):  # the free port may be taken in between; try another
            self.port = free_port()
            log = self.base / "error.log"
            self.proc = subprocess.Popen(
                [_tool("mariadbd", "mysqld"), "--no-defaults", f"--datadir={datadir}",
                 f"--socket={self.base / 'mysqld.sock'}", f"--pid-file={self.base / 'mysqld.pid'}",
                 f"--port={self.port}", "--bind-address=127.0.0.1", f"--user={self.user}",
                 f"--log-error={log}", "--skip-grant-tables", "--skip-log-bin",
                 "--skip-name-resolve", "--innodb-buffer-pool-size=16M",
                 f"--sql-mode={TIDB_SQL_MODE}", "--character-set-server=utf8mb4"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_until(lambda: self.proc.poll() is not None or self.query("SELECT 1") == "1",
                           timeout=60, interval=0.1, what="MariaDB accepting connections")
            except TimeoutError:
                self.stop()
                raise
            if self.proc.poll() is None:
                return
        raise AssertionError(f"mariadbd did not start:\n{(self.base / 'error.log').read_text()}")

    def mysql(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.client, "--no-defaults", "--protocol=TCP", "-h", "127.0.0.1", "-P",
             str(self.port), "-u", "root", "--batch", "--skip-column-names", *args],
            input=stdin, capture_output=True, text=True, timeout=60, check=False)

    def query(self, sql: str) -> str:
        result = self.mysql("-e", sql)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def mariadb() -> Iterator[MariaDB]:
    # A short path: the socket path must fit in 108 bytes.
    base = Path(tempfile.mkdtemp(prefix="cdc-mariadb-"))
    server = None
    try:
        server = MariaDB(base)
        server.start()
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)


def run_init(server: MariaDB) -> subprocess.CompletedProcess:
    # As db-init does: `mysql -h tidb -P 4000 -u root < /sql/init.sql`.
    return server.mysql(stdin=INIT_SQL.read_text())


def test_init_sql_runs_twice_and_leaves_one_seed_row(mariadb: MariaDB) -> None:
    first = run_init(mariadb)
    assert first.returncode == 0, first.stderr
    assert mariadb.query("SELECT COUNT(*) FROM appdb.users") == "1"
    row_before = mariadb.query("SELECT id, username, email, created_at FROM appdb.users")

    second = run_init(mariadb)
    assert second.returncode == 0, second.stderr
    assert mariadb.query("SELECT COUNT(*) FROM appdb.users") == "1"
    assert mariadb.query("SELECT id, username, email, created_at FROM appdb.users") == row_before
    assert mariadb.query("SELECT username, email FROM appdb.users") == "alice\talice@example.com"
    # The second run did not even use up an AUTO_INCREMENT value.
    assert mariadb.query(
        "SELECT AUTO_INCREMENT FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA='appdb' AND TABLE_NAME='users'") == "2"
    # A re-run raises no warnings either (INSERT IGNORE of a duplicate would).
    third = mariadb.mysql("--show-warnings", stdin=INIT_SQL.read_text())
    assert third.returncode == 0, third.stderr
    assert "Warning" not in third.stdout, third.stdout  # Notes ("already exists") are fine


def test_schema_is_the_one_the_issue_asks_for(mariadb: MariaDB) -> None:
    assert run_init(mariadb).returncode == 0
    columns = mariadb.query(
        "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA='appdb' AND TABLE_NAME='users' ORDER BY ORDINAL_POSITION")
    names = [line.split("\t")[0] for line in columns.splitlines()]
    assert names == ["id", "username", "password", "email", "created_at"]
    assert all(line.split("\t")[2] == "NO" for line in columns.splitlines())
    keys = mariadb.query(
        "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA='appdb' AND TABLE_NAME='users' ORDER BY INDEX_NAME")
    assert "PRIMARY\t0\tid" in keys  # TiCDC replicates only tables with a PK or NOT NULL UK
    assert "uk_users_username\t0\tusername" in keys
    # username is unique: a second alice is refused.
    dup = mariadb.mysql("-e", "INSERT INTO appdb.users (username, password, email) "
                              "VALUES ('alice', 'x', 'other@example.com')")
    assert dup.returncode != 0 and "Duplicate entry" in dup.stderr


def test_init_sql_uses_no_mariadb_only_syntax() -> None:
    """MariaDB accepts things TiDB does not; keep to syntax both understand."""
    sql = re.sub(r"--[^\n]*", "", INIT_SQL.read_text()).upper()
    for construct in ("CREATE OR REPLACE", "RETURNING", "CREATE SEQUENCE", "NEXTVAL", "ENGINE=",
                      "ENGINE =", "IF NOT EXISTS INTO", "DELIMITER", "PERIOD FOR", "WITH SYSTEM"):
        assert construct not in sql, f"{construct} is not portable to TiDB"
    # The seed's broken form: INSERT ... VALUES (...) WHERE NOT EXISTS (...) is invalid SQL.
    assert not re.search(r"VALUES\s*\([^;]*\)\s*WHERE", sql)


def test_db_init_container_runs_this_file() -> None:
    service = load_yaml(REPO / "docker-compose.yml")["services"]["db-init"]
    assert "./db/init.sql:/sql/init.sql:ro" in service["volumes"]
    assert "mysql -h tidb -P 4000 -u root < /sql/init.sql" in " ".join(service["entrypoint"])
