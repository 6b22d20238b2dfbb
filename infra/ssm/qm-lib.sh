# Quartermaster host-script library: sourced by backup-dump.sh and backup-restore.sh when they run
# from files; the SSM documents inline it at synth in place of the line that sources it.

# host mode: the password comes from an SSM SecureString the instance role may read, into the
# environment of this script only (never an argument, never printed)
if [ -n "${QM_PASSWORD_PARAMETER:-}" ] && [ -z "${QM_CONTAINER:-}" ]; then
  MYSQL_PWD="$(aws ssm get-parameter --name "$QM_PASSWORD_PARAMETER" --with-decryption --query Parameter.Value --output text)"
  export MYSQL_PWD
fi

# db TOOL ARGS...: run a MariaDB client tool (mariadb, mariadb-dump) on the host or inside the container
db() {
  local tool="$1"; shift
  if [ -n "${QM_CONTAINER:-}" ]; then
    # the password is read inside the container from its own environment, never passed in
    docker exec -i "$QM_CONTAINER" sh -c '
      t="$1"; shift
      command -v "$t" >/dev/null 2>&1 || t="$(echo "$t" | sed "s/^mariadb-dump$/mysqldump/; s/^mariadb$/mysql/")"
      MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}" exec "$t" -uroot "$@"' qm "$tool" "$@"
  elif [ -n "${QM_DB_DEFAULTS_FILE:-}" ]; then
    "$tool" --defaults-extra-file="$QM_DB_DEFAULTS_FILE" "$@"
  else
    "$tool" "$@"
  fi
}

# qm_sha256: the sha256 of stdin as 64 hex characters. openssl where present: it uses the CPU's SHA
# instructions (about 5x less CPU than coreutils' sha256sum on a 28 MB dump here); sha256sum otherwise.
qm_sha256() {
  if command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 | sed -n 's/.*\([a-f0-9]\{64\}\).*/\1/p'
  else
    sha256sum | cut -d' ' -f1
  fi
}

# qm_manifest_tables: the "table<TAB>rows" pairs of a manifest's "tables" object (one member per line,
# as backup-status writes them), with the JSON escapes for quote and backslash undone. A name holding a
# control character stays escaped, so it cannot match a table: such a comparison fails, never passes.
qm_manifest_tables() {
  sed -n '/^  "tables": {/,/^  }/p' | sed -n 's/^    "\(.*\)": \([0-9][0-9]*\),\{0,1\}$/\1\t\2/p' | sed 's/\\"/"/g; s/\\\\/\\/g'
}

# qm_sql_ident NAME: NAME quoted for SQL (backticks doubled)
qm_sql_ident() {
  printf '`%s`' "${1//\`/\`\`}"
}

# qm_schema_fingerprint DATABASE: one line "QM-SCHEMA {json}" on stdout: the sha256 of the database's schema
# (information_schema: every table with its type, every column with its position, type, nullability, default and
# extra, every index with its uniqueness, columns and prefix lengths; ordered byte by byte; the database's
# own name left out, so a restored copy hashes the same) plus WordPress's db_version option where an *options
# table holds it, and that db_version and the table count as read. Read-only; data (rows, AUTO_INCREMENT
# counters, sizes) does not count.
qm_schema_fingerprint() {
  local d="$1" opts="" ver="" n schema
  schema="$(db mariadb -N -B -r -e "
    SELECT 'T', TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA='$d'
      ORDER BY BINARY TABLE_NAME;
    SELECT 'C', TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, IFNULL(COLUMN_DEFAULT, '<null>'), EXTRA
      FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='$d'
      ORDER BY BINARY TABLE_NAME, ORDINAL_POSITION;
    SELECT 'I', TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, IFNULL(SUB_PART, ''), INDEX_TYPE
      FROM information_schema.STATISTICS WHERE TABLE_SCHEMA='$d'
      ORDER BY BINARY TABLE_NAME, BINARY INDEX_NAME, SEQ_IN_INDEX")"
  # the WordPress options table (wp_options, or another prefix): the one ending in "options" with option_name and option_value
  opts="$(db mariadb -N -B -r -e "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='$d'
      AND TABLE_NAME LIKE '%options' AND COLUMN_NAME IN ('option_name', 'option_value')
      GROUP BY TABLE_NAME HAVING COUNT(*) = 2 ORDER BY BINARY TABLE_NAME LIMIT 1")"
  if [ -n "$opts" ]; then
    ver="$(db mariadb -N -B -r "$d" -e "SELECT option_value FROM $(qm_sql_ident "$opts") WHERE option_name='db_version' LIMIT 1" | head -1)"
  fi
  ver="$(printf '%s' "$ver" | tr -cd 'A-Za-z0-9._+-' | cut -c1-64)"
  n="$(printf '%s\n' "$schema" | grep -c '^T' || true)"
  printf 'QM-SCHEMA {"fingerprint": "%s", "dbVersion": "%s", "tables": %s}\n' \
    "$({ printf '%s\n' "$schema"; printf 'W\t%s\n' "$ver"; } | qm_sha256)" "$ver" "${n:-0}"
}
