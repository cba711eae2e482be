"""One module per guide step of the espace-prive wizard; ``pages`` holds the pages around them."""
