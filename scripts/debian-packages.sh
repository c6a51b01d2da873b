# Sourced by ./demo and ./test: installs the Debian packages a command needs, or names the missing ones.
# Usage: ensure_packages WHO PACKAGE...   (WHO prefixes the messages, e.g. "demo")
# Sets MISSING_PACKAGES to the packages still missing afterwards (empty when all are present).

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$p"
  done
}

ensure_packages() {
  local who=$1; shift
  local missing
  mapfile -t missing < <(missing_packages "$@")
  MISSING_PACKAGES=()
  ((${#missing[@]})) || return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "$who: installing missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/"$who"-apt.log 2>&1; then
      echo "$who: apt-get could not install them; see /tmp/$who-apt.log." >&2
    fi
    mapfile -t MISSING_PACKAGES < <(missing_packages "${missing[@]}")
  else
    echo "$who: missing Debian packages (run as root to install them): ${missing[*]}"
    MISSING_PACKAGES=("${missing[@]}")
  fi
}
