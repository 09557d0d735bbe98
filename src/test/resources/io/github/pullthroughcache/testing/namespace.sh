# Sourced by the scripts that run inside a network and mount namespace of their own (unshare --net --mount), as
# root, on loopback only (containerd-pull.sh, copy-between-registries.sh): every process they start is stopped by its
# PID on exit, each wait is bounded, and the registries are CNCF distribution with TLS from a test CA and htpasswd.
PIDS=()
stop() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 143' TERM INT

wait_for() { # <what> <seconds> <command...>
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" > /dev/null 2>&1 && return 0; sleep 0.2; done
  echo "FAILED waiting for $what"; return 1
}

test_ca() { # <dir>: ca.crt and ca.key
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=pull-through-cache test CA" \
    -keyout "$1/ca.key" -out "$1/ca.crt" 2> /dev/null
}

server_certificate() { # <dir> <name> <host>: <name>.crt and <name>.key for <host>, signed by the test CA
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$3" -keyout "$1/$2.key" -out "$1/$2.csr" 2> /dev/null
  printf 'subjectAltName=DNS:%s\n' "$3" > "$1/$2.ext"
  openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" -CAcreateserial -days 1 \
    -extfile "$1/$2.ext" -out "$1/$2.crt" 2> /dev/null
}

private_etc() { # <dir> <host>...: a private /etc in this mount namespace, the hosts on loopback, the test CA trusted
  local dir=$1; shift
  cp -a /etc "$dir/etc"
  for host in "$@"; do echo "127.0.0.1 $host" >> "$dir/etc/hosts"; done
  cat "$dir/ca.crt" >> "$dir/etc/ssl/certs/ca-certificates.crt"
}

start_registry() { # <dir> <name> <port> <user> <password>: a registry with the certificate <name>, its log <name>.log
  local dir=$1 name=$2 port=$3
  htpasswd -Bbn "$4" "$5" > "$dir/$name.htpasswd"
  cat > "$dir/$name.yml" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/$name-data
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $dir/$name.crt
    key: $dir/$name.key
auth:
  htpasswd:
    realm: pull-through-cache-test
    path: $dir/$name.htpasswd
YAML
  docker-registry serve "$dir/$name.yml" > "$dir/$name.log" 2>&1 &
  PIDS+=($!)
  wait_for "the registry $name" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
}
