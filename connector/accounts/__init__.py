"""Amazon seller accounts a shop connects, their marketplaces and token status."""
