#!/bin/bash
# Runs inside a network and mount namespace of its own (unshare --net --mount), as root, on loopback only: two CNCF
# distribution registries with TLS from a test CA and htpasswd, the upstream (the source) and one standing for ECR
# (the target), and the image copier copying from one into the other (src/test/js/copy-between-registries.js).
# usage: copy-between-registries.sh <work dir> <project root> <password>
# Every process it starts is stopped by its PID on exit; each wait is bounded (testing/namespace.sh).
set -euo pipefail
W=$1 ROOT=$2 PASSWORD=$3
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/testing/namespace.sh"
SOURCE_HOST=registry.upstream.test TARGET_HOST=111111111111.dkr.ecr.eu-west-1.amazonaws.com

ip link set lo up
test_ca "$W"
server_certificate "$W" source "$SOURCE_HOST"
server_certificate "$W" target "$TARGET_HOST"
private_etc "$W" "$SOURCE_HOST" "$TARGET_HOST"
mount --bind "$W/etc" /etc
start_registry "$W" source 443 copier "$PASSWORD"
start_registry "$W" target 8443 AWS "ecr-$PASSWORD"
echo "registries: $(docker-registry --version)"

NODE_EXTRA_CA_CERTS="$W/ca.crt" timeout 240 node "$ROOT/src/test/js/copy-between-registries.js" \
  "https://$SOURCE_HOST" copier "$PASSWORD" "https://$TARGET_HOST:8443" "ecr-$PASSWORD"
