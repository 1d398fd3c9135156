#!/bin/sh
# Run a command inside a private D-Bus session with an unlocked gnome-keyring (Secret Service).
#
#   sh tests/secret_service.sh COMMAND [ARG...]
#
# The keyring lives in $XDG_DATA_HOME/keyrings (point HOME and XDG_DATA_HOME at a temporary
# folder first) and is unlocked with $VITAL_TEST_KEYRING_PASSWORD (default "vital-test"):
# a second run with the same folder and password sees what the first one stored. Needs
# Debian's dbus-daemon (dbus-run-session) and gnome-keyring; dbus-send (dbus-bin) if present
# is used to wait until the Secret Service answers.
set -eu
if [ "${VITAL_SECRET_SERVICE_INNER:-}" != 1 ]; then
    VITAL_SECRET_SERVICE_INNER=1 exec dbus-run-session -- sh "$0" "$@"
fi
printf '%s' "${VITAL_TEST_KEYRING_PASSWORD:-vital-test}" |
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
if command -v dbus-send >/dev/null 2>&1; then
    tries=0
    until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
        grep -q 'boolean true'; do
        tries=$((tries + 1))
        if [ "$tries" -gt 100 ]; then
            echo "secret_service.sh: gnome-keyring did not start its Secret Service" >&2
            exit 70
        fi
        sleep 0.1
    done
fi
unset VITAL_SECRET_SERVICE_INNER
exec "$@"
