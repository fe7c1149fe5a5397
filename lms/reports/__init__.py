"""What the office reports about its trainings: the figures of a training's dashboard (training_facts).

The charts are drawn by the pure `lms.charts`; the Laporan Pelaksanaan and the exports build on the
same figures.
"""
