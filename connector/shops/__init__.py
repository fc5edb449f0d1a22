"""Shops (one cart installation each) and how the cart admin opens our pages."""
