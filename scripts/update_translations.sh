#!/usr/bin/env bash
# Extract every translatable text of the package into vital_desktop/translations/*.ts and
# compile each translation into a .qm file next to it (the window loads the .qm for the
# `language` setting at start-up; see vital_desktop/qt/i18n.py).
#
# Usage: scripts/update_translations.sh [LANG ...]
#   With no argument, updates vital_desktop_en.ts (the source language) and every
#   vital_desktop_<lang>.ts already there; with arguments, also starts those languages.
# LUPDATE / LRELEASE override the tools (default: the README's .venv, else PATH).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.venv/bin"
[[ -x "$bin/pyside6-lupdate" ]] || bin="$(dirname "$(command -v pyside6-lupdate)")"
lupdate="${LUPDATE:-$bin/pyside6-lupdate}"
lrelease="${LRELEASE:-$bin/pyside6-lrelease}"
folder="$root/vital_desktop/translations"
cd "$root"

languages=(en "$@")
for ts in "$folder"/vital_desktop_*.ts; do
    [[ -e "$ts" ]] || continue
    code="$(basename "$ts" .ts)"
    languages+=("${code#vital_desktop_}")
done

# Every .py file of the package, in a stable order (lupdate reads Python files given by name).
mapfile -t sources < <(find vital_desktop -name '*.py' -not -path '*/__pycache__/*' | LC_ALL=C sort)

for code in $(printf '%s\n' "${languages[@]}" | LC_ALL=C sort -u); do
    ts="$folder/vital_desktop_$code.ts"
    "$lupdate" -silent -no-obsolete -locations relative \
        -source-language en -target-language "$code" "${sources[@]}" -ts "$ts"
    # The source language needs no compiled file: the texts in the code are English.
    if [[ "$code" != en ]]; then
        "$lrelease" -silent "$ts" -qm "$folder/vital_desktop_$code.qm"
    fi
done
echo "translations: $(grep -c '<message' "$folder/vital_desktop_en.ts") texts in $folder"
