#!/usr/bin/env bash
# Take docs/screenshot.png from the real app: demo mode under Xvfb, a link generated, the
# countdown running. Usage: scripts/screenshot.sh [OUTPUT.png]   (PYTHON overrides the interpreter;
# default: the README's .venv, else python3)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="${1:-$root/docs/screenshot.png}"
python="${PYTHON:-python3}"
if [[ -z "${PYTHON:-}" && -x "$root/.venv/bin/python" ]]; then
    python="$root/.venv/bin/python"   # the README's virtual environment
fi

command -v xvfb-run >/dev/null || { echo "xvfb-run is missing (apt-get install xvfb)" >&2; exit 1; }
mkdir -p "$(dirname "$output")"
cd "$root"
# No key in the environment: the app must start in demo mode, never touch a real team.
env -u VITAL_API_KEY -u VITAL_BASE_URL QT_QPA_PLATFORM=xcb \
    xvfb-run -a -s "-screen 0 1280x900x24" \
    "$python" -m vital_desktop --demo --screenshot "$output"
echo "screenshot: $output"
