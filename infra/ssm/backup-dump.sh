#!/usr/bin/env bash
# Quartermaster backup: dump one MariaDB database, compress it, checksum it and stream it to S3.
# Run by the SSM document QuartermasterDump (parameters arrive as the QM_* variables below, each
# validated by an allowedPattern) or by `bin/qm` locally. Never writes the dump to local disk.
#
#   QM_BUCKET       bucket                         QM_KEY          backups/<db>/<yyyy>/<mm>/<dd>/<ts>.sql.gz
#   QM_DATABASE     database to dump               QM_CONTAINER    container running MariaDB ('' = on this host)
#   QM_COMPRESSION  gzip (default) or zstd
#   QM_DB_DEFAULTS_FILE  optional client option file for host mode (socket/user); with none, the
#                        client's own defaults apply (root over the unix socket on a stock server)
#   QM_PASSWORD_PARAMETER optional SSM SecureString holding the password for host mode
#
# Passwords never appear in arguments or output: inside a container the script reads
# MARIADB_ROOT_PASSWORD / MYSQL_ROOT_PASSWORD from the container's own environment.
#
# The host writes only under staging/ (its role may write nowhere else): the compressed stream goes
# to staging/<path>, then its manifest (size, sha256, per-table row counts, versions) to
# staging/<path>.manifest.json. The backup-status function checks the object against the manifest and
# only then commits it under backups/. A dump that fails at any point leaves no manifest, and removes
# its partial upload.
set -euo pipefail
umask 077
source "${QM_LIB:-$(dirname "${BASH_SOURCE[0]}")/qm-lib.sh}" # @include qm-lib.sh

: "${QM_BUCKET:?QM_BUCKET is required}" "${QM_KEY:?QM_KEY is required}" "${QM_DATABASE:?QM_DATABASE is required}"
QM_CONTAINER="${QM_CONTAINER:-}"
QM_COMPRESSION="${QM_COMPRESSION:-gzip}"
[[ "$QM_KEY" =~ ^backups/[A-Za-z0-9/_.:-]+$ ]] || { echo "qm-dump: key must be under backups/: $QM_KEY" >&2; exit 2; }
[[ "$QM_KEY" != *..* ]] || { echo "qm-dump: key must not contain '..'" >&2; exit 2; }
[[ "$QM_DATABASE" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "qm-dump: bad database name" >&2; exit 2; }
[[ "$QM_BUCKET" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || { echo "qm-dump: bad bucket name" >&2; exit 2; }
[[ -z "$QM_CONTAINER" || "$QM_CONTAINER" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$ ]] || { echo "qm-dump: bad container name" >&2; exit 2; }
case "$QM_COMPRESSION" in
  gzip) compress=(gzip -6 -c) ;;
  zstd) compress=(zstd -q -3 -c) ;;
  *) echo "qm-dump: compression must be gzip or zstd" >&2; exit 2 ;;
esac

stage="staging/${QM_KEY#backups/}"
meta="$(mktemp -d)"   # a few bytes of bookkeeping (checksum, size, errors), never the dump
cleanup() {
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "qm-dump: FAILED (exit $rc); removing the partial upload s3://$QM_BUCKET/$stage" >&2
    aws s3 rm "s3://$QM_BUCKET/$stage" --only-show-errors >/dev/null 2>&1 || true
  fi
  rm -rf "$meta"
  exit "$rc"
}
trap cleanup EXIT

started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
t0=$(date +%s%N)
server_version="$(db mariadb -N -B -e 'SELECT VERSION()' | tr -cd 'A-Za-z0-9._+~ -')"
dump_version="$(db mariadb-dump --version | head -1 | tr -cd 'A-Za-z0-9._+~,() -')"

echo "qm-dump: dumping $QM_DATABASE (${QM_CONTAINER:-host}) -> s3://$QM_BUCKET/$stage ($QM_COMPRESSION)" >&2
db mariadb-dump --single-transaction --quick --routines --triggers --events --hex-blob "$QM_DATABASE" 2>"$meta/dump.err" \
  | tee >(qm_count_rows > "$meta/counts"; touch "$meta/counts.done") \
  | "${compress[@]}" \
  | tee >(sha256sum | cut -d' ' -f1 > "$meta/sha256") >(wc -c | tr -d ' ' > "$meta/bytes") \
  | aws s3 cp - "s3://$QM_BUCKET/$stage" --only-show-errors
if [ -s "$meta/dump.err" ]; then
  # mariadb-dump writes warnings to stderr too; show them, fail only on its exit code (pipefail above)
  sed 's/^/qm-dump: mariadb-dump: /' "$meta/dump.err" >&2
fi
# the process substitutions finish asynchronously: wait for their results
for _ in $(seq 1 300); do [ -s "$meta/sha256" ] && [ -s "$meta/bytes" ] && [ -e "$meta/counts.done" ] && break; sleep 0.1; done
sha256="$(cat "$meta/sha256")"
bytes="$(cat "$meta/bytes")"
[[ "$sha256" =~ ^[a-f0-9]{64}$ ]] || { echo "qm-dump: checksum missing" >&2; exit 1; }
[[ "$bytes" =~ ^[0-9]+$ ]] || { echo "qm-dump: size missing" >&2; exit 1; }
[ -e "$meta/counts.done" ] || { echo "qm-dump: row counts missing" >&2; exit 1; }
finished="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
duration_ms=$(( ($(date +%s%N) - t0) / 1000000 ))

# the manifest says what a good object is; backup-status checks the upload against it and commits both
{
  printf '{\n'
  printf '  "key": "%s",\n' "$QM_KEY"
  printf '  "database": "%s",\n' "$QM_DATABASE"
  printf '  "bytes": %s,\n' "$bytes"
  printf '  "sha256": "%s",\n' "$sha256"
  printf '  "compression": "%s",\n' "$QM_COMPRESSION"
  printf '  "startedAt": "%s",\n' "$started"
  printf '  "finishedAt": "%s",\n' "$finished"
  printf '  "durationMs": %s,\n' "$duration_ms"
  printf '  "serverVersion": "%s",\n' "$server_version"
  printf '  "dumpTool": "%s",\n' "$dump_version"
  printf '  "tables": {\n'
  sed '$!s/$/,/; s/^/    /' "$meta/counts"
  printf '  }\n'
  printf '}\n'
} | aws s3 cp - "s3://$QM_BUCKET/$stage.manifest.json" --only-show-errors --content-type application/json

echo "qm-dump: OK staged s3://$QM_BUCKET/$stage bytes=$bytes sha256=$sha256 duration_ms=$duration_ms (backup-status commits it to $QM_KEY)"
