"""What the office reports: dashboards, the Laporan Pelaksanaan and the SIASN-ready JP export."""
