#!/usr/bin/env bash
# Quartermaster restore: import a backup into a database, only after its checksum matches its manifest.
# Run by the SSM document QuartermasterRestore or by `bin/qm restore` locally.
#
#   QM_BUCKET     bucket                       QM_KEY        backup key ('' = the newest backup with a manifest)
#   QM_DATABASE   database to restore into     QM_CONTAINER  container running MariaDB ('' = on this host)
#   QM_LIVE_DATABASE  drill mode: the live database; the restore refuses to touch it
#   QM_EVIDENCE_KEY   drill mode: where to write the evidence JSON (the scratch database is dropped after)
#   QM_DB_DEFAULTS_FILE / QM_PASSWORD_PARAMETER: as for the dump
#
# The database is replaced (dropped and recreated) only after the whole object has hashed to the
# manifest's sha256; a wrong checksum stops the restore before any change.
set -euo pipefail
umask 077
source "${QM_LIB:-$(dirname "${BASH_SOURCE[0]}")/qm-lib.sh}" # @include qm-lib.sh
: "${QM_BUCKET:?QM_BUCKET is required}" "${QM_DATABASE:?QM_DATABASE is required}"
QM_KEY="${QM_KEY:-}"
QM_CONTAINER="${QM_CONTAINER:-}"
QM_LIVE_DATABASE="${QM_LIVE_DATABASE:-}"
QM_EVIDENCE_KEY="${QM_EVIDENCE_KEY:-}"
[[ "$QM_DATABASE" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "qm-restore: bad database name" >&2; exit 2; }
[[ -z "$QM_CONTAINER" || "$QM_CONTAINER" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$ ]] || { echo "qm-restore: bad container name" >&2; exit 2; }
if [ -n "$QM_LIVE_DATABASE" ] && [ "$QM_DATABASE" = "$QM_LIVE_DATABASE" ]; then
  echo "qm-restore: REFUSED: a drill restores into a scratch database, never into the live one ($QM_LIVE_DATABASE)" >&2
  exit 4
fi


if [ -z "$QM_KEY" ]; then
  QM_KEY="$(aws s3 ls "s3://$QM_BUCKET/backups/" --recursive | awk '{print $4}' | grep '\.manifest\.json$' | sort | tail -1 | sed 's/\.manifest\.json$//')"
  [ -n "$QM_KEY" ] || { echo "qm-restore: no backup with a manifest under s3://$QM_BUCKET/backups/" >&2; exit 3; }
fi
[[ "$QM_KEY" =~ ^backups/[A-Za-z0-9/_.:-]+$ ]] || { echo "qm-restore: key must be under backups/: $QM_KEY" >&2; exit 2; }

t0=$(date +%s%N)
manifest="$(aws s3 cp "s3://$QM_BUCKET/$QM_KEY.manifest.json" - 2>/dev/null)" \
  || { echo "qm-restore: s3://$QM_BUCKET/$QM_KEY has no manifest: it is not a committed backup" >&2; exit 3; }
want="$(printf '%s\n' "$manifest" | sed -n 's/^ *"sha256": *"\([a-f0-9]\{64\}\)".*/\1/p')"
compression="$(printf '%s\n' "$manifest" | sed -n 's/^ *"compression": *"\([a-z]*\)".*/\1/p')"
[ -n "$want" ] || { echo "qm-restore: manifest has no sha256" >&2; exit 3; }
case "${compression:-gzip}" in
  gzip) decompress=(gzip -dc) ;;
  zstd) decompress=(zstd -dcq) ;;
  *) echo "qm-restore: unknown compression $compression" >&2; exit 3 ;;
esac

echo "qm-restore: checking s3://$QM_BUCKET/$QM_KEY against its manifest before touching $QM_DATABASE" >&2
got="$(aws s3 cp "s3://$QM_BUCKET/$QM_KEY" - | sha256sum | cut -d' ' -f1)"
if [ "$got" != "$want" ]; then
  echo "qm-restore: CHECKSUM MISMATCH for $QM_KEY: manifest says $want, object hashes to $got; $QM_DATABASE was not touched" >&2
  exit 5
fi

echo "qm-restore: checksum OK; replacing database $QM_DATABASE" >&2
db mariadb -e "DROP DATABASE IF EXISTS \`$QM_DATABASE\`; CREATE DATABASE \`$QM_DATABASE\`"
aws s3 cp "s3://$QM_BUCKET/$QM_KEY" - | "${decompress[@]}" | db mariadb "$QM_DATABASE"

# compare exact row counts with the manifest
mismatches=0; tables=0; rows=0; details=""
while IFS=$'\t' read -r table expected; do
  [ -n "$table" ] || continue
  actual="$(db mariadb -N -B "$QM_DATABASE" -e "SELECT COUNT(*) FROM \`$table\`" 2>/dev/null || echo missing)"
  tables=$((tables + 1))
  if [ "$actual" != "$expected" ]; then
    mismatches=$((mismatches + 1))
    details="$details${details:+, }\"$table\": {\"expected\": $expected, \"actual\": \"$actual\"}"
  else
    rows=$((rows + actual))
  fi
done < <(printf '%s\n' "$manifest" | sed -n '/"tables": {/,/}/p' | sed -n 's/^ *"\([^"]*\)": *\([0-9][0-9]*\),\{0,1\}$/\1\t\2/p')
duration_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
result=PASS; [ "$mismatches" -eq 0 ] || result=FAIL

evidence="{\"key\": \"$QM_KEY\", \"database\": \"$QM_DATABASE\", \"tables\": $tables, \"rows\": $rows, \"mismatches\": {${details}}, \"durationMs\": $duration_ms, \"result\": \"$result\", \"at\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"
if [ -n "$QM_LIVE_DATABASE" ]; then
  db mariadb -e "DROP DATABASE IF EXISTS \`$QM_DATABASE\`"
fi
if [ -n "$QM_EVIDENCE_KEY" ]; then
  printf '%s\n' "$evidence" | aws s3 cp - "s3://$QM_BUCKET/$QM_EVIDENCE_KEY" --only-show-errors --content-type application/json
fi
echo "qm-restore: $result $evidence"
[ "$result" = PASS ] || exit 6
