"""Journey package."""
