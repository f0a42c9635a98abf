"""API plumbing shared by every app: the error format, strict parameters and pagination."""
