#!/usr/bin/env bash
# Quartermaster backup: dump one MariaDB database, compress it, checksum it and stream it to S3.
# Run by the SSM document QuartermasterDump (parameters arrive as the QM_* variables below, each
# validated by an allowedPattern) or by `bin/qm` locally. Never writes the dump to local disk.
#
#   QM_BUCKET       bucket                         QM_KEY          backups/<db>/<yyyy>/<mm>/<dd>/<ts>.sql.zst (.sql.gz)
#   QM_DATABASE     database to dump               QM_CONTAINER    container running MariaDB ('' = on this host)
#   QM_COMPRESSION  zstd (the default, as the stack and the dump document set it; gzip -1 where zstd is missing) or gzip
#   QM_DB_DEFAULTS_FILE  optional client option file for host mode (socket/user); with none, the
#                        client's own defaults apply (root over the unix socket on a stock server)
#   QM_PASSWORD_PARAMETER optional SSM SecureString holding the password for host mode
#
# Passwords never appear in arguments or output: inside a container the script reads
# MARIADB_ROOT_PASSWORD / MYSQL_ROOT_PASSWORD from the container's own environment.
#
# The host writes only under staging/ (its role may write nowhere else), with one pipeline and one AWS
# CLI start-up: dump | compress | tee (sha256, byte count) | [RAM buffer] | aws s3 cp - staging/<path>.
# It prints one QM-SCHEMA {json} line (the schema's fingerprint, see qm-lib.sh), QM-SHA256 and QM-BYTES lines
# (from the stream) and one QM-DUMP {json} line (key, compression,
# times), which SSM keeps as the command's output. The backup-status function checks the staged object against that line, counts
# every table's rows from the dump itself, and only then commits object and manifest under backups/.
# Nothing touches the host's disk, not even bookkeeping; a dump that fails removes its upload.
set -euo pipefail
umask 077
source "${QM_LIB:-$(dirname "${BASH_SOURCE[0]}")/qm-lib.sh}" # @include qm-lib.sh

: "${QM_BUCKET:?QM_BUCKET is required}" "${QM_KEY:?QM_KEY is required}" "${QM_DATABASE:?QM_DATABASE is required}"
QM_CONTAINER="${QM_CONTAINER:-}"
QM_COMPRESSION="${QM_COMPRESSION:-zstd}"
[[ "$QM_KEY" =~ ^backups/[A-Za-z0-9/_.:-]+$ ]] || { echo "qm-dump: key must be under backups/: $QM_KEY" >&2; exit 2; }
[[ "$QM_KEY" != *..* ]] || { echo "qm-dump: key must not contain '..'" >&2; exit 2; }
[[ "$QM_DATABASE" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "qm-dump: bad database name" >&2; exit 2; }
[[ "$QM_BUCKET" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || { echo "qm-dump: bad bucket name" >&2; exit 2; }
[[ -z "$QM_CONTAINER" || "$QM_CONTAINER" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$ ]] || { echo "qm-dump: bad container name" >&2; exit 2; }
case "$QM_COMPRESSION" in
  zstd)
    if command -v zstd >/dev/null 2>&1; then compress=(zstd -q -1 -c)
    else echo "qm-dump: zstd is not installed here: compressing with gzip -1 instead" >&2; QM_COMPRESSION=gzip; compress=(gzip -1 -c); fi ;;
  gzip) compress=(gzip -1 -c) ;;
  *) echo "qm-dump: compression must be zstd or gzip" >&2; exit 2 ;;
esac
# a RAM buffer between the compressor and the upload keeps the dump from waiting on the CLI's start-up
buffer=(cat)
if command -v mbuffer >/dev/null 2>&1; then buffer=(mbuffer -q -m 64M); fi

stage="staging/${QM_KEY#backups/}"
cleanup() {
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "qm-dump: FAILED (exit $rc); removing the partial upload s3://$QM_BUCKET/$stage" >&2
    aws s3 rm "s3://$QM_BUCKET/$stage" --only-show-errors >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT

started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
t0=$(date +%s%N)
# the server's and the dump tool's versions are in the dump's own header: backup-status reads them there

# the schema's fingerprint (tables, columns, indexes, WordPress's db_version) as the dump starts: backup-status keeps
# it with the backup, and `bin/qm rollback` compares it with the live one (schema-fingerprint.sh)
qm_schema_fingerprint "$QM_DATABASE"
echo "qm-dump: dumping $QM_DATABASE (${QM_CONTAINER:-host}) -> s3://$QM_BUCKET/$stage ($QM_COMPRESSION)" >&2
# the checksum and the size go straight to this script's output (fd 3), which SSM keeps: no file on disk
exec 3>&1
db mariadb-dump --single-transaction --quick --routines --triggers --events --hex-blob "$QM_DATABASE" \
  | "${compress[@]}" \
  | tee >(qm_sha256 | sed -n 's/^\([a-f0-9]\{64\}\)$/QM-SHA256 \1/p' >&3) >(wc -c | tr -d ' ' | sed 's/^/QM-BYTES /' >&3) \
  | "${buffer[@]}" \
  | aws s3 cp - "s3://$QM_BUCKET/$stage" --only-show-errors
wait # the process substitutions above (bash 5.1+ waits for them too)
finished="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
duration_ms=$(( ($(date +%s%N) - t0) / 1000000 ))

# what backup-status checks the staged object against (with the QM-SHA256 and QM-BYTES lines above)
printf 'QM-DUMP {"key": "%s", "database": "%s", "compression": "%s", "startedAt": "%s", "finishedAt": "%s", "durationMs": %s}\n' \
  "$QM_KEY" "$QM_DATABASE" "$QM_COMPRESSION" "$started" "$finished" "$duration_ms"
echo "qm-dump: OK staged s3://$QM_BUCKET/$stage duration_ms=$duration_ms (backup-status checks and commits it to $QM_KEY)" >&2
