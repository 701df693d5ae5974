"""The Care Communications Centre dashboard: the live waiting list and the figures the centre is judged by."""
