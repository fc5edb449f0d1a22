"""The log support reads: every authorization, connection check, reminder and sync leaves entries here."""
