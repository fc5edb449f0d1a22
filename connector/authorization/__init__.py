"""The Request / Renew Token flow: Amazon's website authorization workflow in a popup."""
