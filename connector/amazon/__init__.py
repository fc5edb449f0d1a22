"""Everything that talks to Amazon: regions and marketplaces, Login with Amazon, the SP-API client."""
