"""The account pages of every portal: log-in, log-out, forgotten password, reset link, member
space, password changes (the accounts service is web/accounts)."""
