#!/bin/bash
# Runs inside a network and mount namespace of its own (unshare --net --mount), as root, on loopback only:
#   a CNCF distribution registry that plays the cache's registry (TLS from a test CA, Basic auth, the image under
#   <prefix>/library/<name>), the node script of the AL2023 user data run unchanged into a private /etc, and
#   containerd pulling through the hosts files that script wrote, over CRI as the kubelet does.
# usage: containerd-pull.sh <work dir> <registry host> <prefix> <image name> <password>
# Every process it starts is stopped by its PID on exit; each wait is bounded (../testing/namespace.sh).
set -euo pipefail
W=$1 REGISTRY_HOST=$2 PREFIX=$3 NAME=$4 PASSWORD=$5
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../testing/namespace.sh"

ip link set lo up
echo "network: $(ip -o link show up | awk -F': ' '{print $2}' | tr '\n' ' ')"

# the test CA, and the registry's certificate for the cache's host name
test_ca "$W"
server_certificate "$W" registry "$REGISTRY_HOST"

# a private /etc in this mount namespace: the registry host resolves to loopback, the test CA is trusted, and the
# node script writes /etc/containerd/certs.d and /etc/eks as it would on a node
private_etc "$W" "$REGISTRY_HOST"
rm -rf "$W/etc/containerd/certs.d" "$W/etc/eks"
mount --bind "$W/etc" /etc

start_registry "$W" registry 443 AWS "$PASSWORD"

# the image, as the pull through cache would hold it: <prefix>/library/<name>
for tag in 1.0 2.0 3.0; do
  timeout 60 skopeo --insecure-policy copy --quiet --dest-creds "AWS:$PASSWORD" \
    "oci:$W/oci:$tag" "docker://$REGISTRY_HOST/$PREFIX/library/$NAME:$tag"
done
echo "pushed: $PREFIX/library/$NAME:1.0 2.0 3.0"

# the user data's node script, unchanged
timeout 30 bash "$W/node-script.sh"
echo "node script wrote: $(cd /etc && find containerd/certs.d eks -type f | sort | tr '\n' ' ')"

cat > "$W/containerd.toml" <<TOML
version = 2
root = "$W/containerd/root"
state = "$W/containerd/state"
[grpc]
  address = "$W/containerd.sock"
[ttrpc]
  address = "$W/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "native"
[plugins."io.containerd.grpc.v1.cri".registry]
  # EKS AL2023's value (two directories)
  config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"
TOML
containerd --config "$W/containerd.toml" --log-level debug > "$W/containerd.log" 2>&1 &
PIDS+=($!)
wait_for "containerd" 30 test -S "$W/containerd.sock"
echo "containerd: $(containerd --version)"

cri() { timeout 90 /usr/bin/python3 "$HERE/cri_pull.py" "$W/containerd.sock" "$@"; }
# the kubelet's credentials: user AWS, the ECR token as password, no server address
cri "docker.io/library/$NAME:1.0" AWS "$PASSWORD"
cri "$NAME:2.0" AWS "$PASSWORD"
# no credentials: the mirror refuses, and the upstream is out of reach
cri "docker.io/library/$NAME:3.0"
