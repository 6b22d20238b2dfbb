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

# qm_count_rows: reads a dump on stdin, prints "table<TAB>rows" for every table, counted from the dump
# itself, so the manifest says exactly what a restore will insert. Handles one-line and
# one-row-per-line INSERTs: inside an INSERT, escaped characters and string literals are removed, then
# every "(" left opens a row. LC_ALL=C: byte semantics, and about 5x faster than gzip.
qm_count_rows() {
  LC_ALL=C awk "$(cat <<'QM_AWK'
/^-- Table structure for table `/ {
  t = $0; sub(/^-- Table structure for table `/, "", t); sub(/`$/, "", t)
  if (!(t in rows)) { rows[t] = 0; order[++n] = t }
  next
}
/^INSERT INTO `/ {
  cur = $0; sub(/^INSERT INTO `/, "", cur); sub(/`.*$/, "", cur)
  if (!(cur in rows)) { rows[cur] = 0; order[++n] = cur }
  line = $0; sub(/^INSERT INTO `[^`]*` VALUES/, "", line)
  inserting = 1
}
inserting {
  if (!/^INSERT INTO `/) line = $0
  gsub(/\\./, "", line)
  gsub(/'[^']*'/, "", line)
  rows[cur] += gsub(/\(/, "", line)
  if (line ~ /;[ \t]*$/) inserting = 0
}
END { for (i = 1; i <= n; i++) printf "%s\t%d\n", order[i], rows[order[i]] }
QM_AWK
)"
}
