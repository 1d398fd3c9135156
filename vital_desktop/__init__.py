"""vital-desktop: hand a patient a one-time Vital (Junction) link to connect a wearable."""

__version__ = "0.1.0"
