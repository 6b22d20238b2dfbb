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

# qm_count_rows: reads a dump on stdin, prints one JSON member '"table": rows' per line for every table,
# counted from the dump itself, so the manifest says exactly what a restore will insert. Only the data
# sections count ("-- Dumping data for table `t`" up to its UNLOCK TABLES), and only INSERTs into that
# section's table: an INSERT inside a stored procedure or trigger body is not data. Identifiers are read
# as MariaDB quotes them (a doubled backtick is one) and written as JSON strings (quote and backslash
# escaped, control characters as \u00XX). Inside an INSERT, escaped characters and string literals are
# removed, then every "(" left opens a row. LC_ALL=C: byte semantics, and about 5x faster than gzip.
qm_count_rows() {
  LC_ALL=C awk "$(cat <<'QM_AWK'
function ident(s,    out, i) {
  out = ""
  while (1) {
    i = index(s, "`")
    if (i == 0) { rest = ""; return out s }
    out = out substr(s, 1, i - 1)
    if (substr(s, i + 1, 1) == "`") { out = out "`"; s = substr(s, i + 2) }
    else { rest = substr(s, i + 1); return out }
  }
}
function jstr(s,    out, i, c) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\" || c == "\"") out = out "\\" c
    else if (c < " ") out = out sprintf("\\u%04x", index(ctl, c))
    else out = out c
  }
  return "\"" out "\""
}
function table(t) { if (!(t in rows)) { rows[t] = 0; order[++n] = t } }
BEGIN {
  for (i = 1; i < 32; i++) ctl = ctl sprintf("%c", i)
  structure = "-- Table structure for table `"; data = "-- Dumping data for table `"; insert = "INSERT INTO `"
}
index($0, structure) == 1 { table(ident(substr($0, length(structure) + 1))); section = ""; inserting = 0; next }
index($0, data) == 1 { section = ident(substr($0, length(data) + 1)); table(section); inserting = 0; next }
/^UNLOCK TABLES;/ || /^-- / || /^DELIMITER/ { section = ""; inserting = 0; next }
section != "" && index($0, insert) == 1 {
  cur = ident(substr($0, length(insert) + 1))
  if (cur != section) { inserting = 0; next }
  line = rest; sub(/^ *VALUES/, "", line)
  inserting = 1
  first = 1
}
inserting {
  if (!first) line = $0
  first = 0
  gsub(/\\./, "", line)
  gsub(/'[^']*'/, "", line)
  rows[cur] += gsub(/\(/, "", line)
  if (line ~ /;[ \t]*$/) inserting = 0
}
END { for (i = 1; i <= n; i++) printf "%s: %d\n", jstr(order[i]), rows[order[i]] }
QM_AWK
)"
}

# qm_manifest_tables: the "table<TAB>rows" pairs of a manifest's "tables" object (one member per line,
# as qm_count_rows writes them), with the JSON escapes for quote and backslash undone. A name holding a
# control character stays escaped, so it cannot match a table: such a comparison fails, never passes.
qm_manifest_tables() {
  sed -n '/^  "tables": {/,/^  }/p' | sed -n 's/^    "\(.*\)": \([0-9][0-9]*\),\{0,1\}$/\1\t\2/p' | sed 's/\\"/"/g; s/\\\\/\\/g'
}

# qm_sql_ident NAME: NAME quoted for SQL (backticks doubled)
qm_sql_ident() {
  printf '`%s`' "${1//\`/\`\`}"
}
