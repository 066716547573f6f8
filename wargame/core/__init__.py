"""The model core: everything that makes a run, and nothing else.

scenario (the validated input) and theatre (the geography) at the bottom; agents and rules above them;
commanders decide through one interface; ``model.WarModel`` assembles a run. The edges of the project
(output, report, experiments, study, play, web, lab, cli) import from here, never the reverse; the
contracts in ``.importlinter`` check it.
"""
