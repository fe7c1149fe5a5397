"""What the office reports: dashboards, the Laporan Pelaksanaan and the exports for HR."""
