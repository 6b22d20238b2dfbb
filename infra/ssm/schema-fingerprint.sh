#!/usr/bin/env bash
# Quartermaster schema fingerprint: print the live database's schema fingerprint (one QM-SCHEMA {json} line: the
# sha256 of its tables, columns and indexes as information_schema lists them, plus WordPress's db_version option).
# Read-only: it runs SELECTs on information_schema and the options table, writes nothing anywhere.
# Run by the SSM document QuartermasterFingerprint, or by `bin/qm` locally; `bin/qm rollback` compares it with the
# fingerprint the release's restore point recorded (backup-dump.sh prints the same line before it dumps).
#
#   QM_DATABASE   the database                  QM_CONTAINER  container running MariaDB ('' = on this host)
#   QM_DB_DEFAULTS_FILE / QM_PASSWORD_PARAMETER: as for the dump
set -euo pipefail
umask 077
source "${QM_LIB:-$(dirname "${BASH_SOURCE[0]}")/qm-lib.sh}" # @include qm-lib.sh
: "${QM_DATABASE:?QM_DATABASE is required}"
QM_CONTAINER="${QM_CONTAINER:-}"
[[ "$QM_DATABASE" =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "qm-fingerprint: bad database name" >&2; exit 2; }
[[ -z "$QM_CONTAINER" || "$QM_CONTAINER" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$ ]] || { echo "qm-fingerprint: bad container name" >&2; exit 2; }
qm_schema_fingerprint "$QM_DATABASE"
