"""The window's translations: ``vital_desktop_<lang>.ts`` sources and compiled ``.qm`` files.

``vital_desktop_en.ts`` is the source language, extracted from the code; update every ``.ts``
and rebuild the ``.qm`` files with ``scripts/update_translations.sh``.
"""
