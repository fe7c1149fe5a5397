"""What the office reports: a training's dashboard figures (training_facts), the institution's year
(institution), the Laporan Pelaksanaan and the exports for HR.

The charts are drawn by the pure `lms.charts`; the reports build on the same figures.
"""
