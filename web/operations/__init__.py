"""Operators' tasks: the ``espace`` sub-commands and the work they run (import, demo,
unlock, purge, mail, postal letters). The top of the layers: a task may use any of them."""
