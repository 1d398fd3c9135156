"""Thin widgets: layout and display only; behaviour lives in the core and the window."""
