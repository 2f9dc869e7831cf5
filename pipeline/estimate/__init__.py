"""Multiple systems estimation: how many died that no list recorded."""

from pipeline.estimate.capture import capture_histories
from pipeline.estimate.strata import estimate, headline

__all__ = ["capture_histories", "estimate", "headline"]
