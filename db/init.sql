-- Schema and seed data for the local stack; run by the db-init container against TiDB:
--   mysql -h tidb -P 4000 -u root < db/init.sql
-- Idempotent: a second run changes nothing (tests/stack/test_init_sql.py runs it twice against a
-- real MySQL-protocol server). Plain MySQL syntax that TiDB v6.5 also accepts: no MariaDB-only
-- forms (CREATE OR REPLACE, INSERT ... RETURNING, sequences) and no INSERT ... VALUES ... WHERE.
-- TiCDC replicates only tables with a primary key or a NOT NULL unique key; users has both.

CREATE DATABASE IF NOT EXISTS appdb DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

CREATE TABLE IF NOT EXISTS appdb.users (
  id         BIGINT       NOT NULL AUTO_INCREMENT,
  username   VARCHAR(64)  NOT NULL,
  password   VARCHAR(255) NOT NULL COMMENT 'password hash; the consumer redacts it (redact-columns default *password*)',
  email      VARCHAR(255) NOT NULL,
  created_at TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uk_users_username (username)
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The seed user. INSERT ... SELECT ... WHERE NOT EXISTS inserts only when 'alice' is missing, so it
-- neither fails nor burns an AUTO_INCREMENT value on a second run (INSERT IGNORE would hide other
-- errors too). The password value is a placeholder in bcrypt's format, not a real credential.
INSERT INTO appdb.users (username, password, email)
SELECT 'alice', '$2b$12$wE1xq3yqkz0m1S6r3FqZ8uY3k0m2Y1m9m8i3G2F4b5j6k7l8m9n0a', 'alice@example.com'
FROM DUAL
WHERE NOT EXISTS (SELECT 1 FROM appdb.users WHERE username = 'alice');
