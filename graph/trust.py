"""Trust score bands. The score itself is computed by the graph issue's trust model."""

BANDS = [(75, "Trusted"), (50, "Established"), (25, "Developing"), (0, "Emerging")]


def band_for(score: int | None) -> str:
    """The band a 0-100 score falls in; "Not yet scored" before the first computation."""
    if score is None:
        return "Not yet scored"
    return next(name for floor, name in BANDS if score >= floor)
