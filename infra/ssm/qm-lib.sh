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
