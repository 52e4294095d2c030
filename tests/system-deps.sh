# Source this file: install what the tests use from Debian's packages when missing and we are root.
system_deps() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
  [ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if [ "$(id -u)" != "0" ]; then
    echo "Missing system packages: ${missing[*]} (run as root, or install them, or set DATABASE_URL)"; return 0
  fi
  echo "Installing from Debian's packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# axe-core for the accessibility checks, from the npm registry, kept under var/.
node_deps() {
  local dir="var/node"
  if [ -f "$dir/node_modules/axe-core/axe.min.js" ]; then return 0; fi
  if ! command -v npm >/dev/null 2>&1; then echo "npm is missing: accessibility checks will fail"; return 0; fi
  mkdir -p "$dir"
  (cd "$dir" && npm install --silent --no-audit --no-fund --prefix . axe-core@4.11.0 >/dev/null 2>&1) \
    || echo "could not install axe-core from the npm registry"
}
