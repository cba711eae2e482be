"""One module per guide step of the mss journey (3 to 9); the page they share is ``page``."""
