"""Token lifecycle: expiry, reminders before it, and the operator's client-secret rotation reminder."""
