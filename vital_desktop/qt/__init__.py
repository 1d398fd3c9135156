"""The Qt desktop app: thin widgets over the Qt-free core in ``vital_desktop.core``."""
