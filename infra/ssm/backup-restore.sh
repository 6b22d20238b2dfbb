#!/usr/bin/env bash
# Quartermaster restore and restore drill: prove a committed backup's size and sha256 against its manifest
# before any byte of it reaches the MariaDB client, import it into a scratch database (binary mode, no local
# files, as a user granted on that database alone), prove every table's row count against the manifest, and
# only then, for a restore, swap it in.
# Run by the SSM documents QuartermasterRestore (restore) and QuartermasterDrill (drill), or by `bin/qm`.
#
#   QM_BUCKET     bucket                       QM_KEY        backup key ('' = the newest committed backup of QM_DATABASE)
#   QM_DATABASE   restore: the database to replace       QM_CONTAINER  container running MariaDB ('' = this host)
#   QM_MODE       restore (default) or drill: a drill restores into qm_drill_<QM_DATABASE>, prints its
#                 evidence (one line starting QM-EVIDENCE) and drops the scratch database; it never
#                 touches QM_DATABASE
#   QM_DB_DEFAULTS_FILE / QM_PASSWORD_PARAMETER: as for the dump
#
# A restore never leaves the live database worse than it found it: everything before the swap happens
# in qm_restore_<db>; the swap is one RENAME TABLE statement (atomic in MariaDB) that moves the live
# tables to qm_prev_<db> and the proven ones in. A truncated or tampered object, an SQL error or a killed
# import stops before the swap, with the live database untouched. The replaced tables stay in
# qm_prev_<db> until the next restore (drop it yourself when you are sure).
#
# Nothing in a dump runs on the host: the object is proven (its size from S3 against the manifest before it is
# downloaded, its sha256 from a first streamed download) before the client sees a byte, and the import itself
# streams the same object version again (no copy on the host's disk) into `mariadb --binary-mode` (client
# commands such as \! and `system` are not parsed) with `--local-infile=0` (LOAD DATA LOCAL reads no host file),
# as a user without the FILE privilege (no server-side file read or write).
set -euo pipefail
umask 077
source "${QM_LIB:-$(dirname "${BASH_SOURCE[0]}")/qm-lib.sh}" # @include qm-lib.sh
: "${QM_BUCKET:?QM_BUCKET is required}" "${QM_DATABASE:?QM_DATABASE is required}"
QM_KEY="${QM_KEY:-}"
QM_CONTAINER="${QM_CONTAINER:-}"
QM_MODE="${QM_MODE:-restore}"
[[ "$QM_DATABASE" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "qm-restore: bad database name" >&2; exit 2; }
[[ "$QM_BUCKET" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || { echo "qm-restore: bad bucket name" >&2; exit 2; }
[[ -z "$QM_CONTAINER" || "$QM_CONTAINER" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$ ]] || { echo "qm-restore: bad container name" >&2; exit 2; }
case "$QM_MODE" in
  restore) scratch="qm_restore_$QM_DATABASE" ;;
  drill) scratch="qm_drill_$QM_DATABASE" ;;
  *) echo "qm-restore: QM_MODE must be restore or drill" >&2; exit 2 ;;
esac
scratch="${scratch:0:64}"
prev="qm_prev_$QM_DATABASE"; prev="${prev:0:64}"
[ "$scratch" != "$QM_DATABASE" ] || { echo "qm-restore: REFUSED: the scratch database would be the live one" >&2; exit 4; }

if [ -z "$QM_KEY" ]; then
  # the newest committed backup of this database (keys sort by time: backups/<db>/<yyyy>/<mm>/<dd>/<stamp>...)
  QM_KEY="$(aws s3 ls "s3://$QM_BUCKET/backups/$QM_DATABASE/" --recursive | awk '{print $4}' | grep '\.manifest\.json$' | sort | tail -1 | sed 's/\.manifest\.json$//' || true)"
  [ -n "$QM_KEY" ] || { echo "qm-restore: no backup of $QM_DATABASE with a manifest under s3://$QM_BUCKET/backups/$QM_DATABASE/" >&2; exit 3; }
fi
[[ "$QM_KEY" =~ ^backups/[A-Za-z0-9/_.:-]+$ && "$QM_KEY" != *..* ]] || { echo "qm-restore: key must be under backups/: $QM_KEY" >&2; exit 2; }

meta="$(mktemp -d)"
swapped=0
# the import runs as a MariaDB user of its own, granted on the scratch database alone: a dump's own USE or
# CREATE DATABASE (a tampered or foreign dump) fails instead of reaching the live database. Its password is
# random, travels on stdin and in a mode-600 file or the container's environment, never in arguments.
import_user="qm_import_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
import_pwd="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
import_hosts=("localhost" "127.0.0.1" "::1")
import_users() { local u="" h; for h in "${import_hosts[@]}"; do u="$u${u:+, }'$import_user'@'$h'"; done; printf '%s' "$u"; }
cleanup() {
  rc=$?
  echo "DROP USER IF EXISTS $(import_users)" | db mariadb >/dev/null 2>&1 || true
  if [ "$swapped" -eq 0 ]; then
    db mariadb -e "DROP DATABASE IF EXISTS $(qm_sql_ident "$scratch")" >/dev/null 2>&1 || true
    [ "$rc" -eq 0 ] || echo "qm-restore: FAILED (exit $rc) before the swap: $QM_DATABASE was not touched" >&2
  fi
  rm -rf "$meta"
  exit "$rc"
}
trap cleanup EXIT

t0=$(date +%s%N)
# the object's current version (where the bucket keeps versions), ETag and size, asked while the manifest downloads:
# one AWS CLI start-up less on the restore's path
aws s3api head-object --bucket "$QM_BUCKET" --key "$QM_KEY" --query '[VersionId,ETag,ContentLength]' --output text > "$meta/head" 2>"$meta/head.err" &
head_pid=$!
manifest="$(aws s3 cp "s3://$QM_BUCKET/$QM_KEY.manifest.json" - 2>/dev/null)" \
  || { echo "qm-restore: s3://$QM_BUCKET/$QM_KEY has no manifest: it is not a committed backup" >&2; exit 3; }
want="$(printf '%s\n' "$manifest" | sed -n 's/^ *"sha256": *"\([a-f0-9]\{64\}\)".*/\1/p')"
of="$(printf '%s\n' "$manifest" | sed -n 's/^ *"database": *"\([A-Za-z0-9_]*\)".*/\1/p')"
if [ "$of" != "$QM_DATABASE" ]; then
  echo "qm-restore: REFUSED: $QM_KEY is a backup of '${of:-no database}', not of $QM_DATABASE; restore it with QM_DATABASE=${of:-<its database>}" \
       "(then copy what you need across by hand). $QM_DATABASE was not touched" >&2
  exit 4
fi
compression="$(printf '%s\n' "$manifest" | sed -n 's/^ *"compression": *"\([a-z]*\)".*/\1/p')"
want_bytes="$(printf '%s\n' "$manifest" | sed -n 's/^ *"bytes": *\([0-9]\{1,15\}\),\{0,1\} *$/\1/p')"
[ -n "$want" ] || { echo "qm-restore: manifest has no sha256" >&2; exit 3; }
[ -n "$want_bytes" ] || { echo "qm-restore: manifest has no size (\"bytes\"): it is not a committed backup" >&2; exit 3; }
# a manifest always names its compression; one written without it is read by the key's suffix, never by a default
[ -n "$compression" ] || case "$QM_KEY" in *.zst) compression=zstd ;; *.gz) compression=gzip ;; esac
case "$compression" in
  gzip) decompress=(gzip -dc) ;;
  zstd) decompress=(zstd -dcq) ;;
  *) echo "qm-restore: unknown compression $compression" >&2; exit 3 ;;
esac
printf '%s\n' "$manifest" | qm_manifest_tables > "$meta/expected"

# the object as it is now: its version (where the bucket keeps versions), ETag and size. Every download below asks for
# exactly that object (the version, and If-Match on the ETag), so the bytes imported are the bytes proven.
wait "$head_pid" || { echo "qm-restore: cannot read s3://$QM_BUCKET/$QM_KEY: $(tr -d '\r' < "$meta/head.err" | tr '\n' ' ' | cut -c1-300)" >&2; exit 3; }
IFS=$'\t' read -r version etag length < "$meta/head" || true
[[ "$etag" =~ ^\"?[A-Za-z0-9-]{1,128}\"?$ ]] || { echo "qm-restore: s3://$QM_BUCKET/$QM_KEY has no usable ETag: ${etag:0:80}" >&2; exit 3; }
if [ "$length" != "$want_bytes" ]; then
  echo "qm-restore: REFUSED: SIZE MISMATCH for $QM_KEY: the manifest says $want_bytes bytes, the object has ${length:-no size};" \
       "nothing was imported and $QM_DATABASE was not touched" >&2
  exit 5
fi
pinned=""
[[ "$version" =~ ^[A-Za-z0-9._-]{1,1024}$ && "$version" != "None" && "$version" != "null" ]] && pinned=" version $version"
download() {
  local only=(--if-match "$etag")
  [ -z "$pinned" ] || only+=(--version-id "$version")
  # the body goes to fd 3 (the pipe); the CLI's JSON response to stdout is thrown away
  aws s3api get-object --bucket "$QM_BUCKET" --key "$QM_KEY" "${only[@]}" /dev/fd/3 3>&1 >/dev/null
}
# await_file FILE: a process substitution's result, once it has written it
await_file() { for _ in $(seq 1 300); do [ -s "$1" ] && break; sleep 0.1; done; cat "$1" 2>/dev/null || true; }

# the proof, before any byte reaches the client: one streamed download hashed and counted, then thrown away
echo "qm-restore: proving s3://$QM_BUCKET/$QM_KEY$pinned ($want_bytes bytes) against its manifest before the import" >&2
download | tee >(wc -c | tr -d ' ' > "$meta/proof.bytes") | qm_sha256 > "$meta/proof.sha256" \
  || { echo "qm-restore: downloading s3://$QM_BUCKET/$QM_KEY$pinned to prove it failed; nothing was imported and $QM_DATABASE was not touched" >&2; exit 3; }
got="$(await_file "$meta/proof.sha256")"; got_bytes="$(await_file "$meta/proof.bytes")"
if [ "$got" != "$want" ] || [ "$got_bytes" != "$want_bytes" ]; then
  echo "qm-restore: REFUSED: CHECKSUM MISMATCH for $QM_KEY: the manifest says $want ($want_bytes bytes), the download hashed to" \
       "${got:-nothing} (${got_bytes:-0} bytes); nothing was imported and $QM_DATABASE was not touched" >&2
  exit 5
fi

echo "qm-restore: importing s3://$QM_BUCKET/$QM_KEY$pinned into scratch database $scratch (${QM_CONTAINER:-host})" >&2
db mariadb -e "DROP DATABASE IF EXISTS $(qm_sql_ident "$scratch"); CREATE DATABASE $(qm_sql_ident "$scratch")"
# the import user holds privileges on the scratch database alone: no global privilege, so no FILE (no server-side
# LOAD DATA INFILE or SELECT ... INTO OUTFILE) and no SUPER
{
  for h in "${import_hosts[@]}"; do
    printf "CREATE USER '%s'@'%s' IDENTIFIED BY '%s';\n" "$import_user" "$h" "$import_pwd"
    printf "GRANT ALL PRIVILEGES ON %s.* TO '%s'@'%s';\n" "$(qm_sql_ident "$scratch")" "$import_user" "$h"
  done
} | db mariadb
# the client reads the dump as data: --binary-mode parses no client command (\! and system run a shell, \. reads a
# file, \T writes one), --local-infile=0 refuses LOAD DATA LOCAL INFILE (a host file read by the client), whatever
# an option file says (the command line wins)
import_opts=(--binary-mode --local-infile=0)
# db_import: stdin into the scratch database as the import user
db_import() {
  if [ -n "$QM_CONTAINER" ]; then
    QM_IMPORT_PWD="$import_pwd" docker exec -i -e QM_IMPORT_PWD "$QM_CONTAINER" sh -c '
      t=mariadb; command -v "$t" >/dev/null 2>&1 || t=mysql
      u="$1"; d="$2"; shift 2
      MYSQL_PWD="$QM_IMPORT_PWD" exec "$t" -u"$u" "$@" "$d"' qm "$import_user" "$scratch" "${import_opts[@]}"
  else
    # only this file: a ~/.my.cnf with the administrator's password must not win over the import user's
    { [ -z "${QM_DB_DEFAULTS_FILE:-}" ] || cat "$QM_DB_DEFAULTS_FILE"
      for g in client mysql mariadb-client client-mariadb; do printf '\n[%s]\nuser=%s\npassword=%s\n' "$g" "$import_user" "$import_pwd"; done
    } > "$meta/import.cnf"
    mariadb --defaults-file="$meta/import.cnf" "${import_opts[@]}" "$scratch"
  fi
}
# routines, triggers, events and views carry DEFINER=`root`@`...`: creating them as another user needs SUPER or
# SET USER, which would let a trigger in the dump run as the administrator. The import user becomes their definer
# instead (only statement starts are rewritten, never data: mariadb-dump escapes newlines inside values). Routines
# stay in the scratch database and views or triggers stop a restore before the swap, so nothing of the live
# database ends up with another definer.
strip_definers() {
  sed -E 's/^((\/\*![0-9]{5} CREATE\*\/ )?\/\*![0-9]{5} |CREATE )DEFINER=`[^`]*`@`[^`]*`/\1/'
}
# the same object version again, never more than the proven size, hashed again on its way in: a difference (which
# S3 does not allow for one version) stops the restore before the swap
download \
  | head -c "$want_bytes" \
  | tee >(qm_sha256 > "$meta/sha256") \
  | "${decompress[@]}" \
  | strip_definers \
  | db_import
got="$(await_file "$meta/sha256")"
if [ "$got" != "$want" ]; then
  echo "qm-restore: CHECKSUM MISMATCH for $QM_KEY: manifest says $want, the import's download hashed to ${got:-nothing}; $QM_DATABASE was not touched" >&2
  exit 5
fi

# compare exact row counts with the manifest, in the scratch database
mismatches=0; tables=0; rows=0; details=""
while IFS=$'\t' read -r table expected; do
  [ -n "$table" ] || continue
  actual="$(db mariadb -N -B "$scratch" -e "SELECT COUNT(*) FROM $(qm_sql_ident "$table")" 2>/dev/null || echo missing)"
  tables=$((tables + 1))
  if [ "$actual" != "$expected" ]; then
    mismatches=$((mismatches + 1))
    if [ "$mismatches" -le 20 ]; then
      safe="$(printf '%s' "$table" | tr -cd 'A-Za-z0-9_$. -')"
      details="$details${details:+, }\"$safe\": {\"expected\": $expected, \"actual\": \"$actual\"}"
    fi
  else
    rows=$((rows + actual))
  fi
done < "$meta/expected"
duration_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
result=PASS; [ "$mismatches" -eq 0 ] || result=FAIL
evidence="{\"key\": \"$QM_KEY\", \"database\": \"$scratch\", \"tables\": $tables, \"rows\": $rows, \"mismatches\": {${details}}, \"durationMs\": $duration_ms, \"result\": \"$result\", \"at\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"

if [ "$QM_MODE" = drill ]; then
  # the evidence goes to the command's output, which the drill function reads: the host writes no evidence object
  echo "QM-EVIDENCE $evidence"
  [ "$result" = PASS ] || exit 6
  exit 0
fi
if [ "$result" != PASS ]; then
  echo "qm-restore: ROW COUNTS DIFFER from the manifest: $evidence; $QM_DATABASE was not touched" >&2
  exit 6
fi

# the swap: one RENAME TABLE moves every live table to $prev and every proven one into $QM_DATABASE
objects_in() {
  db mariadb -N -B -e "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='$1';
    SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA='$1'" | awk '{s += $1} END {print s + 0}'
}
if [ "$(objects_in "$QM_DATABASE")" != 0 ] || [ "$(objects_in "$scratch")" != 0 ]; then
  echo "qm-restore: the backup or the live database holds views or triggers, which MariaDB cannot move between databases;" \
       "restore by hand from $scratch (kept) or see the README. $QM_DATABASE was not touched" >&2
  swapped=1 # keep the proven scratch database for the operator
  exit 7
fi
db mariadb -e "CREATE DATABASE IF NOT EXISTS $(qm_sql_ident "$QM_DATABASE"); DROP DATABASE IF EXISTS $(qm_sql_ident "$prev"); CREATE DATABASE $(qm_sql_ident "$prev")"
renames=""
while IFS= read -r t; do
  renames="$renames${renames:+, }$(qm_sql_ident "$QM_DATABASE").$(qm_sql_ident "$t") TO $(qm_sql_ident "$prev").$(qm_sql_ident "$t")"
done < <(db mariadb -N -B -r -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA='$QM_DATABASE'")
while IFS= read -r t; do
  renames="$renames${renames:+, }$(qm_sql_ident "$scratch").$(qm_sql_ident "$t") TO $(qm_sql_ident "$QM_DATABASE").$(qm_sql_ident "$t")"
done < <(db mariadb -N -B -r -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA='$scratch'")
[ -n "$renames" ] && db mariadb -e "RENAME TABLE $renames"
swapped=1
db mariadb -e "DROP DATABASE IF EXISTS $(qm_sql_ident "$scratch")"
echo "qm-restore: $QM_DATABASE restored from $QM_KEY ($tables tables, $rows rows); the replaced tables are in $prev (DROP DATABASE $prev when you are sure)" >&2
echo "qm-restore: PASS $evidence"
