#!/usr/bin/env bash
# Quartermaster release: put one image digest on the host's compose project, prove it runs, and roll
# back by itself when it does not. Run by the SSM document QuartermasterRelease (each parameter arrives
# as a QM_* variable, validated by an allowedPattern) or by bin/qm's local agent and the tests.
#
#   QM_PROJECT_DIR   the compose project's directory          QM_SERVICE      the app service (e.g. wordpress)
#   QM_COMPOSE_FILE  its compose file (default docker-compose.yml, relative to the project)
#   QM_IMAGE_REPO    registry/repository (…dkr.ecr…/wordpress)  QM_DIGEST       sha256:… to release
#   QM_EXPECTED_VERSION  the version the ledger found inside that digest
#   QM_PREVIOUS_DIGEST / QM_PREVIOUS_VERSION  the last good release (optional: read from the host if empty)
#   QM_HEALTH_URL    probed on the host until it answers 2xx/3xx  QM_HEALTH_TIMEOUT seconds (default 60)
#   QM_VERSION_FILE  file read inside the running container      QM_VERSION_REGEX  sed -E regex, group 1 = version
#   QM_CONTAINER_CLI docker (default) or podman                  QM_COMPOSE        "docker compose" (default) or podman-compose
#   QM_REGISTRY_LOGIN ecr (default: password on stdin from `aws ecr get-login-password`) or none
#   QM_LOCK_FILE     the host-wide lock (default /run/lock/quartermaster-release.lock)
#   QM_HOST_NAME     the host's name in Quartermaster's hosts (optional; the hooks see it)
#   QM_HOOK_BEFORE_SWITCH / QM_HOOK_AFTER_SWITCH / QM_HOOK_BEFORE_ROLLBACK  cdk.json releaseHooks (optional), each
#                    words of [A-Za-z0-9_./:=@%+,-] run as a command in the app container (`exec CONTAINER WORD...`,
#                    no shell), with QM_DIGEST, QM_VERSION, QM_PREVIOUS_DIGEST, QM_PREVIOUS_VERSION, QM_HOST_NAME and
#                    QM_HOOK in its environment; QM_HOOK_TIMEOUT seconds each (default 300)
#
# The digest is pinned in an override file next to the compose file (.qm-release.yml: `image:
# <repo>@sha256:…`, never a tag), written atomically; compose runs with both files, recreating only the
# app service and renewing its anonymous volumes (-V: without it the old WordPress files stay and a
# "switch" changes nothing). Proof that counts: the running container's image is the released digest,
# the health URL answers within the timeout, and the version read inside the running container is the
# version the ledger found in the digest. Any failure after the switch puts the previous digest back
# and proves it the same way.
#
# Hooks: beforeSwitch runs in the running container once the new image is pulled; when it fails nothing is
# switched (FAILED, exit 6). afterSwitch runs in the new container once it is proven; when it fails the release
# counts as not proven and rolls back. beforeRollback runs in the running container before a rollback; its failure
# is recorded and the rollback goes on. Each hook's step carries its exit code and the last 2,000 characters of
# its output as one printable line (stdout stays well under the 24,000 characters SSM keeps).
#
# Output: one "QM-STEP <name> <ok|failed|skipped> <ms> <detail>" line per step as it ends, then one
# "QM-RELEASE {json}" line. Exit codes: 0 RELEASED, 3 ROLLED_BACK, 4 ROLLBACK_FAILED,
# 5 REFUSED (another release holds the lock), 6 FAILED with nothing switched (pull or beforeSwitch failed),
# 2 bad input.
set -uo pipefail
umask 077

QM_COMPOSE_FILE="${QM_COMPOSE_FILE:-docker-compose.yml}"
QM_HEALTH_TIMEOUT="${QM_HEALTH_TIMEOUT:-60}"
QM_CONTAINER_CLI="${QM_CONTAINER_CLI:-docker}"
QM_COMPOSE="${QM_COMPOSE:-docker compose}"
QM_REGISTRY_LOGIN="${QM_REGISTRY_LOGIN:-ecr}"
QM_LOCK_FILE="${QM_LOCK_FILE:-/run/lock/quartermaster-release.lock}"
QM_PREVIOUS_DIGEST="${QM_PREVIOUS_DIGEST:-}"
QM_PREVIOUS_VERSION="${QM_PREVIOUS_VERSION:-}"
QM_HOST_NAME="${QM_HOST_NAME:-}"
QM_HOOK_BEFORE_SWITCH="${QM_HOOK_BEFORE_SWITCH:-}"
QM_HOOK_AFTER_SWITCH="${QM_HOOK_AFTER_SWITCH:-}"
QM_HOOK_BEFORE_ROLLBACK="${QM_HOOK_BEFORE_ROLLBACK:-}"
QM_HOOK_TIMEOUT="${QM_HOOK_TIMEOUT:-300}"

bad() { echo "qm-release: $*" >&2; exit 2; }

[[ "$QM_CONTAINER_CLI" =~ ^(docker|podman)$ ]] || bad "container CLI must be docker or podman"
cli=("$QM_CONTAINER_CLI")
pin="${QM_PROJECT_DIR:-}/.qm-release.yml"

# what runs now, shared by the check and the release
container() {
  "${cli[@]}" ps --filter "label=com.docker.compose.service=$QM_SERVICE" \
    --filter "label=com.docker.compose.project.working_dir=$QM_PROJECT_DIR" --format '{{.Names}}' 2>/dev/null | head -1
}
image_id() { "${cli[@]}" image inspect --format '{{.Id}}' "$1" 2>/dev/null | sed 's/^sha256://'; }
running_image_id() { local c; c="$(container)"; [ -n "$c" ] && "${cli[@]}" inspect --format '{{.Image}}' "$c" 2>/dev/null | sed 's/^sha256://'; }
pinned_digest() { sed -n 's/^ *image: *.*@\(sha256:[a-f0-9]\{64\}\) *$/\1/p' "$pin" 2>/dev/null | head -1; }
# repo_digest IMAGE_ID: the image's digest under QM_IMAGE_REPO, else under any name (a mirror, a renamed
# registry: a digest names the same bytes everywhere)
repo_digest() {
  local digests d
  digests="$("${cli[@]}" image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$1" 2>/dev/null)"
  d="$(echo "$digests" | sed -n "s|^$QM_IMAGE_REPO@\(sha256:[a-f0-9]\{64\}\)$|\1|p" | head -1)"
  [ -n "$d" ] || d="$(echo "$digests" | sed -n 's|^.*@\(sha256:[a-f0-9]\{64\}\)$|\1|p' | head -1)"
  echo "$d"
}

# QM_MODE=check (the drift check's document): report which digest the app service runs, change nothing
if [ "${QM_MODE:-release}" = check ]; then
  : "${QM_PROJECT_DIR:?QM_PROJECT_DIR is required}" "${QM_SERVICE:?QM_SERVICE is required}" "${QM_IMAGE_REPO:?QM_IMAGE_REPO is required}"
  c="$(container)"
  id="$(running_image_id || true)"
  pinned="$(pinned_digest)"
  digest=""
  if [ -n "$id" ] && [ -n "$pinned" ] && [ "$(image_id "$QM_IMAGE_REPO@$pinned")" = "$id" ]; then
    digest="$pinned"
  elif [ -n "$id" ]; then
    digest="$(repo_digest "$id")"
  fi
  echo "QM-RUNNING {\"container\":\"${c:-}\",\"digest\":\"$digest\",\"pinned\":\"$pinned\"}"
  exit 0
fi
: "${QM_PROJECT_DIR:?QM_PROJECT_DIR is required}" "${QM_SERVICE:?QM_SERVICE is required}" "${QM_IMAGE_REPO:?QM_IMAGE_REPO is required}"
: "${QM_DIGEST:?QM_DIGEST is required}" "${QM_EXPECTED_VERSION:?QM_EXPECTED_VERSION is required}" "${QM_HEALTH_URL:?QM_HEALTH_URL is required}"
: "${QM_VERSION_FILE:?QM_VERSION_FILE is required}" "${QM_VERSION_REGEX:?QM_VERSION_REGEX is required}"
# the regex is data, never sed script: it sits between control-character delimiters it may not contain, so a
# '/' in it is an ordinary character and nothing after it can become a flag (such as e, which runs a command)
[[ "$QM_VERSION_REGEX" =~ ^[[:print:]]+$ ]] || bad "version regex must be printable characters"
version_of() {
  local d=$'\001'
  sed -nE "s${d}.*${QM_VERSION_REGEX}.*${d}\\1${d}p" | head -1
}
[[ "$QM_DIGEST" =~ ^sha256:[a-f0-9]{64}$ ]] || bad "digest must be sha256:<64 hex>"
[[ -z "$QM_PREVIOUS_DIGEST" || "$QM_PREVIOUS_DIGEST" =~ ^sha256:[a-f0-9]{64}$ ]] || bad "previous digest must be sha256:<64 hex>"
[[ "$QM_IMAGE_REPO" =~ ^[a-z0-9][a-z0-9.:-]*(/[a-z0-9]+([._-][a-z0-9]+)*)+$ ]] || bad "image repository must be registry/repository"
[[ "$QM_SERVICE" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$ ]] || bad "bad service name"
[[ "$QM_PROJECT_DIR" =~ ^/[A-Za-z0-9/_.-]+$ && "$QM_PROJECT_DIR" != *..* ]] || bad "project directory must be an absolute path"
[[ "$QM_COMPOSE_FILE" =~ ^[A-Za-z0-9_.-]+$ ]] || bad "compose file must be a file name in the project directory"
[[ "$QM_EXPECTED_VERSION" =~ ^[0-9A-Za-z.+-]{1,64}$ ]] || bad "expected version must be [0-9A-Za-z.+-]{1,64}"
[[ -z "$QM_PREVIOUS_VERSION" || "$QM_PREVIOUS_VERSION" =~ ^[0-9A-Za-z.+-]{1,64}$ ]] || bad "previous version must be [0-9A-Za-z.+-]{1,64}"
url_re='^https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9/_.~%?=&-]*)?$'
[[ "$QM_HEALTH_URL" =~ $url_re ]] || bad "health URL must be http(s)://host[:port]/path"
[[ "$QM_HEALTH_TIMEOUT" =~ ^[0-9]{1,4}$ ]] || bad "health timeout must be seconds"
[[ "$QM_COMPOSE" =~ ^(docker\ compose|docker-compose|podman-compose|podman\ compose)$ ]] || bad "compose command must be docker compose, docker-compose or podman-compose"
[[ "$QM_REGISTRY_LOGIN" =~ ^(ecr|none)$ ]] || bad "registry login must be ecr or none"
[ -f "$QM_PROJECT_DIR/$QM_COMPOSE_FILE" ] || bad "no compose file $QM_PROJECT_DIR/$QM_COMPOSE_FILE"
[[ -z "$QM_HOST_NAME" || "$QM_HOST_NAME" =~ ^[a-z0-9][a-z0-9-]{0,31}$ ]] || bad "host name must be [a-z0-9][a-z0-9-]{0,31}"
[[ "$QM_HOOK_TIMEOUT" =~ ^[0-9]{1,4}$ && "$QM_HOOK_TIMEOUT" -gt 0 ]] || bad "hook timeout must be seconds"
# the same rule as cdk.json's releaseHooks (ReleaseHooks), checked in the C locale (no other letters in A-Z)
hook_ok() {
  ( LC_ALL=C
    [ -z "$1" ] || { [ "${#1}" -le 256 ] && [[ "$1" != -* ]] && [[ "$1" =~ ^[A-Za-z0-9_./:=@%+,-]+(\ [A-Za-z0-9_./:=@%+,-]+){0,31}$ ]]; } )
}
hook_ok "$QM_HOOK_BEFORE_SWITCH" || bad "the beforeSwitch hook must be words of letters, digits and _ . / : = @ % + , -"
hook_ok "$QM_HOOK_AFTER_SWITCH" || bad "the afterSwitch hook must be words of letters, digits and _ . / : = @ % + , -"
hook_ok "$QM_HOOK_BEFORE_ROLLBACK" || bad "the beforeRollback hook must be words of letters, digits and _ . / : = @ % + , -"

read -r -a compose <<< "$QM_COMPOSE"
steps=()
started=$(date +%s%3N)

json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr -d '\000-\037' | cut -c1-"${2:-400}"; }
now_ms() { date +%s%3N; }
step() { # step NAME STATUS START_MS DETAIL [MAX_CHARS]
  local ms=$(( $(now_ms) - $3 )) detail
  detail="$(json_escape "$4" "${5:-400}")"
  echo "QM-STEP $1 $2 $ms $detail"
  steps+=("{\"step\":\"$1\",\"status\":\"$2\",\"ms\":$ms,\"detail\":\"$detail\"}")
}
finish() { # finish RESULT EXIT RUNNING_DIGEST RUNNING_VERSION REASON
  local IFS=,
  echo "QM-RELEASE {\"result\":\"$1\",\"to\":\"$QM_DIGEST\",\"from\":\"${previous:-}\",\"running\":\"$3\",\"version\":\"$(json_escape "$4")\",\"reason\":\"$(json_escape "$5")\",\"ms\":$(( $(now_ms) - started )),\"steps\":[${steps[*]}]}"
  exit "$2"
}

# 1. one release at a time on this host
exec 9>>"$QM_LOCK_FILE" || bad "cannot open the lock file $QM_LOCK_FILE"
if ! flock -n 9; then
  previous=""
  step lock failed "$started" "another release is running on this host"
  finish REFUSED 5 "" "" "another release is running on this host (lock $QM_LOCK_FILE); nothing was changed"
fi

# the digest running now: the pin if it matches the running container, else the running image's repo digest
previous="$QM_PREVIOUS_DIGEST"
run_id="$(running_image_id || true)"
if [ -z "$previous" ]; then
  if [ -f "$pin" ]; then
    pinned="$(pinned_digest)"
    [ -n "$pinned" ] && [ "$(image_id "$QM_IMAGE_REPO@$pinned")" = "$run_id" ] && previous="$pinned"
  fi
  if [ -z "$previous" ] && [ -n "$run_id" ]; then
    previous="$(repo_digest "$run_id")"
  fi
fi

echo "qm-release: $QM_SERVICE runs image ${run_id:-(none found)}; previous digest ${previous:-unknown}" >&2

# 2. log in (password on stdin) and pull the new image by digest before anything stops; an image the host already
# holds by this digest is used as it is (its bytes were verified against the digest when it came): a rollback to
# what ran before works even after the registry dropped it
t=$(now_ms)
if [ -n "$(image_id "$QM_IMAGE_REPO@$QM_DIGEST")" ]; then
  step pull ok "$t" "$QM_IMAGE_REPO@$QM_DIGEST already on the host"
elif [ "$QM_REGISTRY_LOGIN" = ecr ]; then
  registry="${QM_IMAGE_REPO%%/*}"
  region="$(echo "$registry" | sed -n 's/^[0-9]*\.dkr\.ecr\.\([a-z0-9-]*\)\.amazonaws\.com.*$/\1/p')"
  if ! aws ecr get-login-password ${region:+--region "$region"} | "${cli[@]}" login --username AWS --password-stdin "$registry" >/dev/null 2>&1; then
    step login failed "$t" "could not log in to $registry"
    finish FAILED 6 "$previous" "" "could not log in to $registry: nothing was changed"
  fi
fi
if [ -z "$(image_id "$QM_IMAGE_REPO@$QM_DIGEST")" ]; then
  if ! out="$("${cli[@]}" pull -q "$QM_IMAGE_REPO@$QM_DIGEST" 2>&1)"; then
    step pull failed "$t" "$out"
    finish FAILED 6 "$previous" "" "pulling $QM_IMAGE_REPO@$QM_DIGEST failed: nothing was changed"
  fi
  step pull ok "$t" "$QM_IMAGE_REPO@$QM_DIGEST"
fi

# pin DIGEST: the override file, replaced atomically
pin_digest() {
  local tmp="$pin.tmp.$$"
  printf '# written by Quartermaster release: the digest this project runs (never a tag)\nservices:\n  %s:\n    image: %s@%s\n' \
    "$QM_SERVICE" "$QM_IMAGE_REPO" "$1" > "$tmp" && mv -f "$tmp" "$pin"
}

# switch DIGEST: pin it, recreate the app service only, with fresh anonymous volumes
switch() {
  pin_digest "$1" || return 1
  (cd "$QM_PROJECT_DIR" && "${compose[@]}" -f "$QM_COMPOSE_FILE" -f .qm-release.yml up -d --force-recreate -V --no-deps "$QM_SERVICE") >/dev/null 2>&1
}

# prove DIGEST VERSION: the running container is that image, answers, and holds that version
proof_version=""
prove() {
  local want_id deadline c got code
  want_id="$(image_id "$QM_IMAGE_REPO@$1")"
  deadline=$(( $(date +%s) + QM_HEALTH_TIMEOUT ))
  proof_version=""
  while :; do
    c="$(container)"
    if [ -n "$c" ] && [ "$(running_image_id)" = "$want_id" ]; then
      code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$QM_HEALTH_URL" 2>/dev/null || true)"
      if [[ "$code" =~ ^[23][0-9][0-9]$ ]]; then
        got="$("${cli[@]}" exec "$c" cat "$QM_VERSION_FILE" 2>/dev/null | version_of | head -c 64)"
        proof_version="$got"
        if [ "$got" = "$2" ]; then
          return 0
        fi
        proof_reason="the running container answers but holds version '${got:-none}', not $2 (a stale volume?)"
        return 1
      fi
      proof_reason="$QM_HEALTH_URL did not answer 2xx/3xx within ${QM_HEALTH_TIMEOUT}s (last: ${code:-no answer})"
    else
      proof_reason="no running container of service $QM_SERVICE runs image $1"
    fi
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 1
  done
}

# run_hook NAME WORDS CONTAINER: the hook's words as a command in the container (an argument vector, no shell),
# bounded by QM_HOOK_TIMEOUT; sets hook_exit, hook_detail (exit code and the output's last 2,000 characters as one
# printable line, without " or \ so JSON escaping cannot grow it) and hook_tail (its last 200)
hook_exit=0
hook_detail=""
hook_tail=""
run_hook() {
  local out
  local -a words
  read -r -a words <<< "$2"
  out="$(timeout -k 10 "$QM_HOOK_TIMEOUT" "${cli[@]}" exec \
      -e "QM_DIGEST=$QM_DIGEST" -e "QM_VERSION=$QM_EXPECTED_VERSION" \
      -e "QM_PREVIOUS_DIGEST=${previous:-}" -e "QM_PREVIOUS_VERSION=$QM_PREVIOUS_VERSION" \
      -e "QM_HOST_NAME=$QM_HOST_NAME" -e "QM_HOOK=$1" \
      "$3" "${words[@]}" </dev/null 2>&1 | tail -c 2000)"
  hook_exit=$?
  out="$(printf '%s' "$out" | LC_ALL=C tr '\n\r\t' '   ' | LC_ALL=C tr -c ' -~' '?' | LC_ALL=C tr '"\\' "'/")"
  out="${out%"${out##*[! ]}"}"
  if [ "$hook_exit" = 124 ]; then
    hook_detail="timed out after ${QM_HOOK_TIMEOUT}s: ${out:-(no output)}"
  else
    hook_detail="exit $hook_exit: ${out:-(no output)}"
  fi
  hook_tail="$hook_detail"
  [ "${#hook_tail}" -le 200 ] || hook_tail="...${hook_detail: -200}"
  [ "$hook_exit" = 0 ]
}

# 3. beforeSwitch, in the running container: when it fails nothing is switched
if [ -n "$QM_HOOK_BEFORE_SWITCH" ]; then
  t=$(now_ms)
  c="$(container)"
  if [ -z "$c" ]; then
    step before-switch skipped "$t" "no running container of $QM_SERVICE to run it in"
  elif run_hook beforeSwitch "$QM_HOOK_BEFORE_SWITCH" "$c"; then
    step before-switch ok "$t" "$hook_detail" 2100
  else
    step before-switch failed "$t" "$hook_detail" 2100
    finish FAILED 6 "$previous" "" "the beforeSwitch hook failed ($hook_tail): nothing was switched"
  fi
fi

# 4. switch
t=$(now_ms)
if ! switch "$QM_DIGEST"; then
  step switch failed "$t" "compose could not start $QM_SERVICE on $QM_DIGEST"
  failure="compose could not start $QM_SERVICE on the new digest"
else
  step switch ok "$t" "$QM_SERVICE pinned to $QM_DIGEST"
  # 5. prove
  t=$(now_ms)
  if prove "$QM_DIGEST" "$QM_EXPECTED_VERSION"; then
    step prove ok "$t" "running $QM_DIGEST, healthy, version $proof_version"
    released_version="$proof_version"
    [ -z "$QM_HOOK_AFTER_SWITCH" ] && finish RELEASED 0 "$QM_DIGEST" "$released_version" "released"
    # afterSwitch, in the new container once it is proven: its failure counts as a failed proof
    t=$(now_ms)
    c="$(container)"
    if [ -n "$c" ] && run_hook afterSwitch "$QM_HOOK_AFTER_SWITCH" "$c"; then
      step after-switch ok "$t" "$hook_detail" 2100
      finish RELEASED 0 "$QM_DIGEST" "$released_version" "released"
    fi
    [ -n "$c" ] || hook_detail="no running container of $QM_SERVICE to run it in" hook_tail="no running container"
    step after-switch failed "$t" "$hook_detail" 2100
    failure="the afterSwitch hook failed ($hook_tail)"
  else
    step prove failed "$t" "$proof_reason"
    failure="$proof_reason"
  fi
fi

# 6. roll back to the previous digest (pulled again if missing) and prove it the same way
t=$(now_ms)
if [ -z "$previous" ]; then
  step rollback failed "$t" "no previous digest is known on this host"
  finish ROLLBACK_FAILED 4 "$QM_DIGEST" "$proof_version" "$failure; and no previous digest to roll back to"
fi
# beforeRollback, in the running container: its failure is recorded, the rollback goes on
if [ -n "$QM_HOOK_BEFORE_ROLLBACK" ]; then
  c="$(container)"
  if [ -z "$c" ]; then
    step before-rollback skipped "$t" "no running container of $QM_SERVICE to run it in"
  elif run_hook beforeRollback "$QM_HOOK_BEFORE_ROLLBACK" "$c"; then
    step before-rollback ok "$t" "$hook_detail" 2100
  else
    step before-rollback failed "$t" "$hook_detail (the rollback goes on)" 2100
  fi
  t=$(now_ms)
fi
if [ -z "$(image_id "$QM_IMAGE_REPO@$previous")" ]; then
  "${cli[@]}" pull -q "$QM_IMAGE_REPO@$previous" >/dev/null 2>&1 || true
fi
if switch "$previous"; then
  if [ -n "$QM_PREVIOUS_VERSION" ]; then
    prove "$previous" "$QM_PREVIOUS_VERSION"; ok=$?
  else
    # the previous version is not known here: the digest and the health answer must hold
    prove "$previous" "__unknown__" >/dev/null; ok=1
    [ "$(running_image_id)" = "$(image_id "$QM_IMAGE_REPO@$previous")" ] && [ -n "$proof_version" ] && ok=0
  fi
  if [ "$ok" = 0 ]; then
    step rollback ok "$t" "back on $previous, healthy, version $proof_version"
    finish ROLLED_BACK 3 "$previous" "$proof_version" "$failure; rolled back"
  fi
  step rollback failed "$t" "$proof_reason"
  finish ROLLBACK_FAILED 4 "$previous" "$proof_version" "$failure; the rollback to $previous did not prove: $proof_reason"
fi
step rollback failed "$t" "compose could not start $QM_SERVICE on $previous"
finish ROLLBACK_FAILED 4 "" "" "$failure; compose could not start the previous digest $previous either"
