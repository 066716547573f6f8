"""The spread of a set of runs, as every table and chart of ensembles, comparisons and studies reports it.

BAND is the pair of quantiles shown around the median: the 10th and 90th percentiles, wide enough to show
the runs' spread and not ruled by one stray run. MIN_RUNS_FOR_BAND is the fewest runs a band is drawn
from: with fewer, the 10th and 90th percentiles are the lowest and highest runs (or interpolate between
them), a band claiming a spread the runs have not shown, so the runs themselves are drawn instead.
"""

import math

import pandas as pd

BAND = (0.10, 0.90)
MIN_RUNS_FOR_BAND = 5


def band(values: pd.Series) -> tuple[float, float]:
    """The 10th and 90th percentile of `values`, or (NaN, NaN) under MIN_RUNS_FOR_BAND of them."""
    if len(values) < MIN_RUNS_FOR_BAND:
        return math.nan, math.nan
    return float(values.quantile(BAND[0])), float(values.quantile(BAND[1]))
