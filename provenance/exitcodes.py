"""Exit codes of every warcproof command."""

EXIT_OK = 0  # success
EXIT_FAILED = 1  # verification failed, or problems found
EXIT_USAGE = 2  # usage error, or input that cannot be read
EXIT_CHANGED = 3  # `crawl`: the crawl recorded a change of an article (edited, or gone)
EXIT_LOCKED = 4  # `crawl`: another run holds the collection's lock; nothing was done
