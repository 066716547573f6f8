"""Names of the per-faction personnel tallies kept by the model (killed, captured, ...)."""

TALLIES = ("killed", "captured", "deserted", "defected_out", "defected_in", "reinforced", "withdrawn")
