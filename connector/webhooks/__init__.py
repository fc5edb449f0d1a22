"""Webhooks from the host cart: verified, stored in an inbox in the same request, acknowledged, processed by jobs."""
