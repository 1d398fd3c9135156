"""``python -m vital_desktop`` starts the desktop app."""

from vital_desktop.qt.app import main

if __name__ == "__main__":
    raise SystemExit(main())
