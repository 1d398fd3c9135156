"""The Qt-free core: API client, environments and keys, validation, providers, link session."""
