"""Errors of the store that reach a person as a plain message (never a raw database error)."""


class BuildError(RuntimeError):
    """The database could not be built, or a new version's rows do not hold together; nothing was published."""


class PublishError(RuntimeError):
    """The new version could not be published; the live database is unchanged."""
