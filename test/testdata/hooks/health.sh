#!/bin/bash
# On-exit hook (test fixture): fail the run when sshd did not come back after patching.
set -euo pipefail
if ! systemctl is-active --quiet sshd; then
  echo "sshd is not running after patching" >&2
  exit 1
fi
echo "healthy after patching: $(date -u +%FT%TZ)"
