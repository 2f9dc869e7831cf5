"""Multiple systems estimation: how many died that no list recorded.

    capture_histories(victims) -> who was on which named list, with strata
    undecided_links(review_queue, person_records) -> victim pairs the linkage left undecided
    estimate(capture_histories, config=None, undecided=None) -> the `estimates` table
    headline(estimates) -> "Between X and Y civilians died; Z are documented by name or record."

Method and measured accuracy: docs/estimation.md.
"""

from pipeline.estimate.capture import capture_histories
from pipeline.estimate.config import EstimationConfig
from pipeline.estimate.table import estimate, headline
from pipeline.estimate.undecided import undecided_links

__all__ = ["EstimationConfig", "capture_histories", "estimate", "headline", "undecided_links"]
