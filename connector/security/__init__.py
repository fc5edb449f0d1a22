"""Secrets at rest, the embedded-iframe headers, and refusing credentials we must never hold."""
