"""Views: layout only, one per screen. Behaviour lives in the matching controller."""
