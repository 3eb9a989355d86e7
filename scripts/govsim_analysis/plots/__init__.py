"""The figure families (PNG, 150 dpi, matplotlib's Agg backend), one module each:

common     styles, grids, legends and saving shared by every figure
compare    run and compare folders: CDFs, service gap, backlog, trust, forest plot
sweep      sweep lines, heatmap, Morris sensitivity
explore    explore folders: effects, tornado, PRIM trajectory
attribute  attribute folders: waterfall, interactions
calibrate  calibrate folders: marginal and pairwise posteriors
structure  organisational structures side by side
"""
