#!/bin/bash
# privatepatch CCE configuration checks for Linux. Each check prints one line,
#   <id> <PASS|FAIL> <severity> <title>: <detail>
# and the results are reported to Systems Manager compliance as type Custom:CCE (AWS CLI).
# Failed checks are findings, not errors: the script exits 0 when every check ran, 1 when it
# could not run or report them. CCE_DRY_RUN=1 prints the results without reporting them.
set -u
export LC_ALL=C

results=()
check() { # id severity title status detail
  printf '%s %s %s %s: %s\n' "$1" "$4" "$2" "$3" "$5"
  results+=("$1|$2|$3|$4")
}

# CCE-L-01: root may not log in over SSH.
root_login=$( (sshd -T 2>/dev/null || true) | awk 'tolower($1)=="permitrootlogin"{print tolower($2)}')
if [ -z "$root_login" ]; then
  root_login=$(awk 'tolower($1)=="permitrootlogin"{v=tolower($2)} END{print v}' /etc/ssh/sshd_config 2>/dev/null)
fi
if [ "$root_login" = "no" ]; then
  check CCE-L-01 HIGH "SSH root login disabled" PASS "PermitRootLogin no"
else
  check CCE-L-01 HIGH "SSH root login disabled" FAIL "PermitRootLogin is '${root_login:-unset}', want no"
fi

# CCE-L-02: passwords expire within 90 days.
max_days=$(awk '$1=="PASS_MAX_DAYS"{print $2}' /etc/login.defs 2>/dev/null)
if [ -n "$max_days" ] && [ "$max_days" -le 90 ] 2>/dev/null; then
  check CCE-L-02 MEDIUM "Password maximum age 90 days or less" PASS "PASS_MAX_DAYS $max_days"
else
  check CCE-L-02 MEDIUM "Password maximum age 90 days or less" FAIL "PASS_MAX_DAYS is '${max_days:-unset}'"
fi

# CCE-L-03: passwords have at least 8 characters.
min_len=$(awk -F= '/^[[:space:]]*minlen/{gsub(/[[:space:]]/,"",$2); print $2}' /etc/security/pwquality.conf 2>/dev/null | tail -n 1)
if [ -n "$min_len" ] && [ "$min_len" -ge 8 ] 2>/dev/null; then
  check CCE-L-03 MEDIUM "Password minimum length 8 or more" PASS "minlen $min_len"
else
  check CCE-L-03 MEDIUM "Password minimum length 8 or more" FAIL "pwquality minlen is '${min_len:-unset}'"
fi

# CCE-L-04: no account has an empty password.
if [ -r /etc/shadow ]; then
  empty=$(awk -F: '($2==""){print $1}' /etc/shadow | tr '\n' ' ')
  if [ -z "$empty" ]; then
    check CCE-L-04 HIGH "No account with an empty password" PASS "none"
  else
    check CCE-L-04 HIGH "No account with an empty password" FAIL "accounts: $empty"
  fi
else
  check CCE-L-04 HIGH "No account with an empty password" FAIL "/etc/shadow is not readable (run as root)"
fi

# CCE-L-05: only root has UID 0.
uid0=$(awk -F: '($3==0 && $1!="root"){print $1}' /etc/passwd | tr '\n' ' ')
if [ -z "$uid0" ]; then
  check CCE-L-05 HIGH "Only root has UID 0" PASS "root only"
else
  check CCE-L-05 HIGH "Only root has UID 0" FAIL "also: $uid0"
fi

# CCE-L-06: /etc/passwd and /etc/shadow are not writable by others.
passwd_mode=$(stat -c '%a' /etc/passwd 2>/dev/null)
shadow_mode=$(stat -c '%a' /etc/shadow 2>/dev/null)
if [ -n "$passwd_mode" ] && [ $((8#$passwd_mode & 8#022)) -eq 0 ] && [ -n "$shadow_mode" ] && [ $((8#$shadow_mode & 8#027)) -eq 0 ]; then
  check CCE-L-06 HIGH "Account files protected" PASS "passwd $passwd_mode, shadow $shadow_mode"
else
  check CCE-L-06 HIGH "Account files protected" FAIL "passwd ${passwd_mode:-?}, shadow ${shadow_mode:-?}"
fi

# CCE-L-07: no world-writable files under /etc.
writable=$(find /etc -xdev -type f -perm -0002 2>/dev/null | head -n 5 | tr '\n' ' ')
if [ -z "$writable" ]; then
  check CCE-L-07 MEDIUM "No world-writable files in /etc" PASS "none"
else
  check CCE-L-07 MEDIUM "No world-writable files in /etc" FAIL "e.g. $writable"
fi

if [ "${CCE_DRY_RUN:-0}" = "1" ]; then
  exit 0
fi

# Report to Systems Manager compliance as the managed node this runs on, first found of:
# 1. AWS_SSM_INSTANCE_ID and AWS_SSM_REGION_NAME, which SSM Agent sets for every command it runs, on
#    EC2 instances (i-...) and hybrid nodes (mi-...) alike (amazon-ssm-agent, agent/executers);
# 2. by hand on a hybrid node, the agent's registration file in its data directory
#    (/var/lib/amazon/ssm/, amazon-ssm-agent appconfig DefaultDataStorePath), JSON such as
#    {"ManagedInstanceID":"mi-008d36be46EXAMPLE","Region":"us-east-2"} (the format the Systems Manager
#    user guide shows for a registered hybrid node);
# 3. by hand on EC2, instance metadata (IMDSv2), which on-premises nodes do not have.
registration_file=${CCE_REGISTRATION_FILE:-/var/lib/amazon/ssm/registration}
json_field() { # file key: the string value of "key" in a one-object JSON file
  sed -n 's/.*"'"$2"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$1" 2>/dev/null | head -n 1
}
instance=${AWS_SSM_INSTANCE_ID:-}
region=${AWS_SSM_REGION_NAME:-}
if [ -z "$instance" ] || [ -z "$region" ]; then
  if [ -r "$registration_file" ]; then
    instance=$(json_field "$registration_file" ManagedInstanceID)
    region=$(json_field "$registration_file" Region)
  fi
fi
if [ -z "$instance" ] || [ -z "$region" ]; then
  token=$(curl -sf -m 5 -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') ||
    { echo "not run by SSM Agent, no agent registration in $registration_file, and no instance metadata: which node is this?" >&2; exit 1; }
  instance=$(curl -sf -m 5 -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id)
  region=$(curl -sf -m 5 -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)
fi
# Both go through eval below: only a node id and a region name may.
if ! [[ "$instance" =~ ^m?i-[0-9a-f]+$ && "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]]; then
  echo "node id '$instance' or region '$region' is not one" >&2
  exit 1
fi
if ! command -v aws >/dev/null; then
  echo "the AWS CLI is not installed: results are in this output only, not in Systems Manager compliance" >&2
  exit 1
fi
items=""
for r in "${results[@]}"; do
  IFS='|' read -r id severity title status <<<"$r"
  [ "$status" = "PASS" ] && status=COMPLIANT || status=NON_COMPLIANT
  items+="Id=$id,Title=\"$title\",Severity=$severity,Status=$status "
done
# shellcheck disable=SC2086 # one argument per item
eval aws ssm put-compliance-items --region "$region" --resource-id "$instance" --resource-type ManagedInstance \
  --compliance-type Custom:CCE --execution-summary "ExecutionTime=$(date -u +%Y-%m-%dT%H:%M:%SZ)" --items $items ||
  { echo "put-compliance-items failed" >&2; exit 1; }
echo "reported ${#results[@]} checks to Systems Manager compliance (Custom:CCE) as $instance"
