#!/usr/bin/env bash
# Quartermaster hosts check: can this host reach what releases and backups need, and by which address?
# Read-only: it changes nothing on the host, in the registry or in the bucket. Run by the SSM document
# QuartermasterHostsCheck on every host (bin/qm hosts check --aws), or by bin/qm's local agent and the tests.
#
#   QM_ENDPOINTS          names of the interface endpoints the host uses (api.ecr.<region>.amazonaws.com, …),
#                         space-separated; each must resolve, to a private address when QM_EXPECT_PRIVATE=true
#   QM_GATEWAY_ENDPOINTS  names reached through a gateway endpoint (S3): they resolve to public addresses, the
#                         route table carries them; the bucket check below proves the path
#   QM_EXPECT_PRIVATE     true (privateHosts is set) or false
#   QM_IMAGE_REPO         registry/repository of the app (…dkr.ecr…/wordpress)
#   QM_REGISTRY_LOGIN     ecr (default: a token from `aws ecr get-login-password`) or none (a local registry)
#   QM_DIGEST             the manifest to read (optional: the digest the compose project pins, if any)
#   QM_PROJECT_DIR        the compose project (where the release pin .qm-release.yml is; may be absent)
#   QM_BACKUP_BUCKET      the backup bucket: its backups/ is listed and its newest-listed key HEADed
#
# Output: one "QM-CHECK <check> <ok|failed|skipped> <detail>" line per check, then one
# "QM-HOSTS-CHECK {json}" summary. Exit 0 when no check failed, 1 when one did, 2 on bad input.
# Every network call has a time limit: a path that hangs (the seed's "authenticates but hangs in PENDING":
# interface endpoints without the S3 gateway) fails the check instead of hanging the document.
set -uo pipefail
umask 077

QM_REGISTRY_LOGIN="${QM_REGISTRY_LOGIN:-ecr}"
QM_EXPECT_PRIVATE="${QM_EXPECT_PRIVATE:-false}"
QM_DIGEST="${QM_DIGEST:-}"
QM_PROJECT_DIR="${QM_PROJECT_DIR:-}"
QM_ENDPOINTS="${QM_ENDPOINTS:-}"
QM_GATEWAY_ENDPOINTS="${QM_GATEWAY_ENDPOINTS:-}"

bad() { echo "qm-hosts-check: $*" >&2; exit 2; }
name_re='^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$'
for n in $QM_ENDPOINTS $QM_GATEWAY_ENDPOINTS; do
  [[ "$n" =~ $name_re ]] || bad "endpoint name '$n' is not a DNS name"
done
[[ "$QM_EXPECT_PRIVATE" =~ ^(true|false)$ ]] || bad "QM_EXPECT_PRIVATE must be true or false"
[[ "$QM_REGISTRY_LOGIN" =~ ^(ecr|none)$ ]] || bad "registry login must be ecr or none"
[[ "${QM_IMAGE_REPO:-}" =~ ^[a-z0-9][a-z0-9.:-]*(/[a-z0-9]+([._-][a-z0-9]+)*)+$ ]] || bad "image repository must be registry/repository"
[[ -z "$QM_DIGEST" || "$QM_DIGEST" =~ ^sha256:[a-f0-9]{64}$ ]] || bad "digest must be sha256:<64 hex>"
[[ "${QM_BACKUP_BUCKET:-}" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || bad "backup bucket must be a bucket name"
[[ -z "$QM_PROJECT_DIR" || ( "$QM_PROJECT_DIR" =~ ^/[A-Za-z0-9/_.-]+$ && "$QM_PROJECT_DIR" != *..* ) ]] || bad "project directory must be an absolute path"

ok=0 failed=0 skipped=0
check() { # check NAME STATUS DETAIL
  local detail
  detail="$(printf '%s' "$3" | tr -d '\000-\037' | cut -c1-300)"
  echo "QM-CHECK $1 $2 $detail"
  case "$2" in ok) ok=$((ok + 1)) ;; failed) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
}

# kind ADDRESS: private (RFC 1918), loopback, link-local or public
kind() {
  case "$1" in
    10.*|192.168.*) echo private ;;
    172.1[6-9].*|172.2[0-9].*|172.3[01].*) echo private ;;
    127.*) echo loopback ;;
    169.254.*) echo link-local ;;
    *) echo public ;;
  esac
}

# 1. each endpoint's name, as this host resolves it (the VPC's resolver: private DNS of an interface endpoint)
for n in $QM_ENDPOINTS; do
  addrs="$(timeout 5 getent ahostsv4 "$n" 2>/dev/null | awk '{print $1}' | sort -u | head -4 | tr '\n' ' ')"
  addrs="${addrs% }"
  if [ -z "$addrs" ]; then
    check "dns:$n" failed "does not resolve"
    continue
  fi
  kinds="$(for a in $addrs; do kind "$a"; done | sort -u | tr '\n' ' ')"
  kinds="${kinds% }"
  if [ "$QM_EXPECT_PRIVATE" = true ] && [ "$kinds" != private ]; then
    check "dns:$n" failed "$addrs ($kinds): a private address was expected (is the interface endpoint's private DNS on, and the VPC's DNS hostnames and resolution?)"
  else
    check "dns:$n" ok "$addrs ($kinds)"
  fi
done
for n in $QM_GATEWAY_ENDPOINTS; do
  addrs="$(timeout 5 getent ahostsv4 "$n" 2>/dev/null | awk '{print $1}' | sort -u | head -4 | tr '\n' ' ')"
  addrs="${addrs% }"
  if [ -z "$addrs" ]; then
    check "dns:$n" failed "does not resolve"
  else
    check "dns:$n" ok "$addrs ($(kind "${addrs%% *}"); a gateway endpoint is a route, not an address: the bucket check proves it)"
  fi
done

# 2. ECR: a token for the registry (never on a command line: curl reads it from its config on stdin)
registry="${QM_IMAGE_REPO%%/*}"
repository="${QM_IMAGE_REPO#*/}"
scheme=https
[[ "$registry" =~ ^(127\.[0-9.]+|localhost)(:[0-9]+)?$ ]] && scheme=http
token=""
if [ "$QM_REGISTRY_LOGIN" = ecr ]; then
  region="$(echo "$registry" | sed -n 's/^[0-9]*\.dkr\.ecr\.\([a-z0-9-]*\)\.amazonaws\.com.*$/\1/p')"
  if token="$(timeout 30 aws ecr get-login-password ${region:+--region "$region"} --cli-connect-timeout 5 --cli-read-timeout 10 2>/dev/null)" && [ -n "$token" ]; then
    check ecr-login ok "a registry token for $registry"
  else
    token=""
    check ecr-login failed "aws ecr get-login-password failed (ecr.api endpoint, its policy, or the host role's ecr:GetAuthorizationToken)"
  fi
else
  check ecr-login skipped "the registry $registry takes no login"
fi

# 3. one manifest, HEAD by digest: the given one, else the digest the compose project pins
digest="$QM_DIGEST"
if [ -z "$digest" ] && [ -n "$QM_PROJECT_DIR" ] && [ -f "$QM_PROJECT_DIR/.qm-release.yml" ]; then
  digest="$(sed -n 's/^ *image: *.*@\(sha256:[a-f0-9]\{64\}\) *$/\1/p' "$QM_PROJECT_DIR/.qm-release.yml" | head -1)"
fi
if [ -z "$digest" ]; then
  check manifest skipped "no digest to read (none given, no release pinned on this host)"
elif [ "$QM_REGISTRY_LOGIN" = ecr ] && [ -z "$token" ]; then
  check manifest failed "no registry token: $QM_IMAGE_REPO@$digest not read"
else
  accept='application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'
  url="$scheme://$registry/v2/$repository/manifests/$digest"
  if [ -n "$token" ]; then
    code="$(printf 'user = "AWS:%s"\n' "$token" | curl -K - -s -o /dev/null -I -w '%{http_code}' --connect-timeout 5 --max-time 15 -H "Accept: $accept" "$url")"
  else
    code="$(curl -s -o /dev/null -I -w '%{http_code}' --connect-timeout 5 --max-time 15 -H "Accept: $accept" "$url")"
  fi
  case "$code" in
    200) check manifest ok "HEAD $QM_IMAGE_REPO@$digest: 200" ;;
    000) check manifest failed "HEAD $QM_IMAGE_REPO@$digest: no answer (refused, or none within 15 s: ecr.dkr endpoint, security group 443)" ;;
    *) check manifest failed "HEAD $QM_IMAGE_REPO@$digest: HTTP $code" ;;
  esac
fi
token=""

# 4. the backup bucket, through S3 (the gateway endpoint with private hosts): list backups/ (the host role may
# list only there), HEAD the first key listed
list="$(timeout 30 aws s3api list-objects-v2 --bucket "$QM_BACKUP_BUCKET" --prefix backups/ --max-keys 1 \
  --query 'Contents[0].Key' --output text --cli-connect-timeout 5 --cli-read-timeout 10 2>&1)"
rc=$?
if [ "$rc" -ne 0 ]; then
  check backup-bucket failed "listing s3://$QM_BACKUP_BUCKET/backups/ failed: $(echo "$list" | tail -1)"
elif [ -z "$list" ] || [ "$list" = None ]; then
  check backup-bucket ok "s3://$QM_BACKUP_BUCKET/backups/ listed: empty"
elif out="$(timeout 30 aws s3api head-object --bucket "$QM_BACKUP_BUCKET" --key "$list" \
    --query ContentLength --output text --cli-connect-timeout 5 --cli-read-timeout 10 2>&1)"; then
  check backup-bucket ok "HEAD s3://$QM_BACKUP_BUCKET/$list: $out bytes"
else
  check backup-bucket failed "HEAD s3://$QM_BACKUP_BUCKET/$list failed: $(echo "$out" | tail -1)"
fi

echo "QM-HOSTS-CHECK {\"ok\":$ok,\"failed\":$failed,\"skipped\":$skipped,\"expectPrivate\":$QM_EXPECT_PRIVATE}"
[ "$failed" -eq 0 ]
