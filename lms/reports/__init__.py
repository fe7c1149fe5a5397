"""Reports of a training and of the institution: dashboards, the Laporan Pelaksanaan, exports."""
