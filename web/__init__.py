"""Espace: self-registration portal for members of a fund."""
