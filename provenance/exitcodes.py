"""Exit codes of every warcproof command."""

EXIT_OK = 0  # success
EXIT_FAILED = 1  # verification failed, or problems found
EXIT_USAGE = 2  # usage error, or input that cannot be read
